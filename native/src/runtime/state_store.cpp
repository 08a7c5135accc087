#include "runtime/state_store.h"

#include <cmath>
#include <cstdio>

#include "runtime/events.h"

namespace pyc::state {
namespace {

using convert::Kind;
using convert::Value;

// Integers stay exact only within JS's safe range (Kind::Int's contract).
constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

bool CheckPlain(const Value& v, std::string& why, int depth) {
  if (depth > convert::kMaxDepth) {
    why = "nesting deeper than " + std::to_string(convert::kMaxDepth) + " levels";
    return false;
  }
  if (v.kind == Kind::Opaque) {
    why = "a value of type '" + v.aux + "' cannot be stored (only plain data: None, bool, int, float, str, "
          "bytes, list, tuple, dict, set)";
    return false;
  }
  for (const Value& item : v.items)
    if (!CheckPlain(item, why, depth + 1)) return false;
  return true;
}

// Lent JS memory must not outlive its call: the store keeps its own copy.
void OwnMemory(Value& v) {
  if (v.shared) {
    v.text.assign(static_cast<const char*>(v.shared->data), v.shared->length);
    v.shared.reset();
  }
  for (Value& item : v.items) OwnMemory(item);
}

uint64_t ValueBytes(const Value& v) {
  uint64_t n = 32 + v.text.size() + v.aux.size() + v.words.size() * 8;
  for (const Value& item : v.items) n += ValueBytes(item);
  return n;
}

void ReprInto(const Value& v, std::string& out, size_t max) {
  if (out.size() > max) return;
  char buf[64];
  switch (v.kind) {
    case Kind::Undefined:
    case Kind::Null: out += "None"; return;
    case Kind::Bool: out += v.flag ? "True" : "False"; return;
    case Kind::Int: out += std::to_string(v.i); return;
    case Kind::Float:
      if (std::isnan(v.d)) out += "nan";
      else if (std::isinf(v.d)) out += v.d > 0 ? "inf" : "-inf";
      else {
        snprintf(buf, sizeof buf, "%.17g", v.d);
        std::string s = buf;
        // Shortest form that reads back the same, as Python prints floats.
        for (int p = 1; p <= 17; p++) {
          snprintf(buf, sizeof buf, "%.*g", p, v.d);
          if (std::strtod(buf, nullptr) == v.d) { s = buf; break; }
        }
        if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
        out += s;
      }
      return;
    case Kind::BigInt: out += v.flag ? "-<big int>" : "<big int>"; return;
    case Kind::Str:
      out += '\'';
      if (v.enc == convert::StrEnc::Utf8) out += v.text.substr(0, max);
      else out += "…";
      out += '\'';
      return;
    case Kind::Bytes: out += "b'…' (" + std::to_string(v.text.size()) + " bytes)"; return;
    case Kind::TypedArray: out += "<memoryview " + std::to_string(v.text.size()) + " bytes>"; return;
    case Kind::NumberList: out += "[" + std::to_string(v.text.size() / (v.aux == "i" ? 4 : 8)) + " numbers]"; return;
    case Kind::List:
    case Kind::Set: {
      out += v.kind == Kind::List ? "[" : "{";
      for (size_t i = 0; i < v.items.size() && out.size() <= max; i++) {
        if (i) out += ", ";
        ReprInto(v.items[i], out, max);
      }
      out += v.kind == Kind::List ? "]" : "}";
      return;
    }
    case Kind::Dict:
    case Kind::Map: {
      out += "{";
      for (size_t i = 0; i + 1 < v.items.size() && out.size() <= max; i += 2) {
        if (i) out += ", ";
        ReprInto(v.items[i], out, max);
        out += ": ";
        ReprInto(v.items[i + 1], out, max);
      }
      out += "}";
      return;
    }
    case Kind::Opaque: out += v.text; return;
  }
}

}  // namespace

uint64_t ApproxBytes(const std::string& key, const Value& v) { return key.size() + ValueBytes(v); }

std::string ReprValue(const Value& v, size_t maxChars) {
  std::string out;
  ReprInto(v, out, maxChars);
  if (out.size() > maxChars) {
    // Cut at a UTF-8 character boundary.
    size_t end = maxChars;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) end--;
    out = out.substr(0, end) + "…";
  }
  return out;
}

Store& Store::Instance() {
  static Store* s = new Store();  // leaked on purpose: Python threads may use it during exit
  return *s;
}

Result Store::Prepare(const std::string& key, Value& v) {
  std::string why;
  if (!CheckPlain(v, why, 0)) return {Fail::Type, "state['" + key + "']: " + why};
  OwnMemory(v);
  return {};
}

Result Store::CheckLimitsLocked(int64_t entriesDelta, int64_t bytesDelta) {
  if (entriesDelta > 0 && entries_.size() + static_cast<uint64_t>(entriesDelta) > limits_.maxEntries) {
    return {Fail::Limit, "the shared state is full: at most " + std::to_string(limits_.maxEntries) +
                             " keys (the stateMaxEntries limit)"};
  }
  if (bytesDelta > 0 && bytes_ + static_cast<uint64_t>(bytesDelta) > limits_.maxBytes) {
    return {Fail::Limit, "the shared state is full: storing this would take it to about " +
                             std::to_string(bytes_ + static_cast<uint64_t>(bytesDelta)) + " bytes, over the limit of " +
                             std::to_string(limits_.maxBytes) + " (the stateMaxBytes limit)"};
  }
  return {};
}

Result Store::Get(const std::string& key, Value& out) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {Fail::Missing, key};
  out = it->second;  // a copy: callers never see the stored tree itself
  return {};
}

Result Store::Set(const std::string& key, Value v) {
  uint64_t size = ApproxBytes(key, v);
  {
    std::lock_guard<std::mutex> lock(m_);
    auto old = sizes_.find(key);
    bool exists = old != sizes_.end();
    int64_t delta = static_cast<int64_t>(size) - static_cast<int64_t>(exists ? old->second : 0);
    Result r = CheckLimitsLocked(exists ? 0 : 1, delta);
    if (!r.ok()) {
      r.message = "state['" + key + "']: " + r.message;
      return r;
    }
    entries_[key] = std::move(v);
    sizes_[key] = size;
    bytes_ = static_cast<uint64_t>(static_cast<int64_t>(bytes_) + delta);
  }
  Notify({key});
  return {};
}

Result Store::Delete(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(m_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return {Fail::Missing, key};
    entries_.erase(it);
    bytes_ -= sizes_[key];
    sizes_.erase(key);
  }
  Notify({key});
  return {};
}

bool Store::Contains(const std::string& key) {
  std::lock_guard<std::mutex> lock(m_);
  return entries_.count(key) > 0;
}

std::vector<std::string> Store::Keys() {
  std::lock_guard<std::mutex> lock(m_);
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (auto& kv : entries_) out.push_back(kv.first);
  return out;
}

size_t Store::Size() {
  std::lock_guard<std::mutex> lock(m_);
  return entries_.size();
}

Result Store::Incr(const std::string& key, const Value& by, Value& out) {
  if (by.kind != Kind::Int && by.kind != Kind::Float) {
    return {Fail::Type, "state.incr('" + key + "', n): n must be an int or a float"};
  }
  {
    std::lock_guard<std::mutex> lock(m_);
    auto it = entries_.find(key);
    Value cur = Value::integer(0);
    if (it != entries_.end()) {
      if (it->second.kind != Kind::Int && it->second.kind != Kind::Float) {
        return {Fail::Type, "state.incr('" + key + "'): the value under '" + key + "' is not a number (" +
                                ReprValue(it->second, 60) + ")"};
      }
      cur = it->second;
    }
    Value next;
    if (cur.kind == Kind::Int && by.kind == Kind::Int) {
      int64_t sum = cur.i + by.i;  // both within ±2^53, so this cannot overflow int64
      if (sum > kMaxSafe || sum < -kMaxSafe) {
        return {Fail::Overflow, "state.incr('" + key + "'): the count would leave the exact integer range (±2**53)"};
      }
      next = Value::integer(sum);
    } else {
      double a = cur.kind == Kind::Int ? static_cast<double>(cur.i) : cur.d;
      double b = by.kind == Kind::Int ? static_cast<double>(by.i) : by.d;
      next = Value::number(a + b);
    }
    if (it == entries_.end()) {
      uint64_t size = ApproxBytes(key, next);
      Result r = CheckLimitsLocked(1, static_cast<int64_t>(size));
      if (!r.ok()) {
        r.message = "state['" + key + "']: " + r.message;
        return r;
      }
      sizes_[key] = size;
      bytes_ += size;
      entries_[key] = next;
    } else {
      it->second = next;  // a number replaces a number: the size does not change
    }
    out = std::move(next);
  }
  Notify({key});
  return {};
}

Result Store::SetDefault(const std::string& key, Value dflt, Value& out) {
  {
    std::lock_guard<std::mutex> lock(m_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      out = it->second;
      return {};
    }
    uint64_t size = ApproxBytes(key, dflt);
    Result r = CheckLimitsLocked(1, static_cast<int64_t>(size));
    if (!r.ok()) {
      r.message = "state['" + key + "']: " + r.message;
      return r;
    }
    out = dflt;
    entries_[key] = std::move(dflt);
    sizes_[key] = size;
    bytes_ += size;
  }
  Notify({key});
  return {};
}

Result Store::Update(std::vector<std::pair<std::string, Value>> items) {
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(m_);
    // Later duplicates win, as dict.update does; sizes are computed against the final state.
    std::map<std::string, Value*> last;
    for (auto& kv : items) last[kv.first] = &kv.second;
    int64_t newEntries = 0, delta = 0;
    std::map<std::string, uint64_t> newSizes;
    for (auto& kv : last) {
      uint64_t size = ApproxBytes(kv.first, *kv.second);
      newSizes[kv.first] = size;
      auto old = sizes_.find(kv.first);
      if (old == sizes_.end()) newEntries++;
      delta += static_cast<int64_t>(size) - static_cast<int64_t>(old == sizes_.end() ? 0 : old->second);
    }
    Result r = CheckLimitsLocked(newEntries, delta);
    if (!r.ok()) {
      r.message = "state.update(): " + r.message + "; nothing was stored";
      return r;
    }
    for (auto& kv : last) {
      entries_[kv.first] = std::move(*kv.second);
      sizes_[kv.first] = newSizes[kv.first];
      keys.push_back(kv.first);
    }
    bytes_ = static_cast<uint64_t>(static_cast<int64_t>(bytes_) + delta);
  }
  Notify(keys);
  return {};
}

void Store::Clear() {
  {
    std::lock_guard<std::mutex> lock(m_);
    entries_.clear();
    sizes_.clear();
    bytes_ = 0;
  }
  Notify({""});
}

void Store::SetLimits(Limits l) {
  std::lock_guard<std::mutex> lock(m_);
  limits_ = l;
}

Limits Store::GetLimits() {
  std::lock_guard<std::mutex> lock(m_);
  return limits_;
}

uint64_t Store::Bytes() {
  std::lock_guard<std::mutex> lock(m_);
  return bytes_;
}

void Store::SetSink(std::weak_ptr<EventSink> sink) {
  std::lock_guard<std::mutex> lock(m_);
  sink_ = std::move(sink);
}

std::optional<std::string> Store::Repr(const std::string& key, size_t maxChars) {
  std::lock_guard<std::mutex> lock(m_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return ReprValue(it->second, maxChars);
}

// Change notices are coalesced: keys collect here, and only the first change after the JS side
// drained them posts an event, so a tight incr() loop costs the JS thread one wake-up per
// turn, not one per increment. The sink is pushed to outside our mutex (it has its own).
void Store::Notify(const std::vector<std::string>& keys) {
  std::shared_ptr<EventSink> sink;
  {
    std::lock_guard<std::mutex> lock(m_);
    bool wasEmpty = changed_.empty() && !clearedSinceDrain_;
    for (const std::string& k : keys) {
      if (k.empty()) clearedSinceDrain_ = true;
      else changed_.insert(k);
    }
    if (!wasEmpty) return;
    sink = sink_.lock();
  }
  if (!sink) return;
  Event e;
  e.kind = EventKind::StateChanged;
  sink->Push(std::move(e));
}

std::vector<std::string> Store::TakeChanges() {
  std::lock_guard<std::mutex> lock(m_);
  std::vector<std::string> out;
  if (clearedSinceDrain_) out.push_back("");
  for (auto& k : changed_) out.push_back(k);
  changed_.clear();
  clearedSinceDrain_ = false;
  return out;
}

}  // namespace pyc::state
