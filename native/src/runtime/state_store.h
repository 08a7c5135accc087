// The shared state store: one key → value table for the whole process, visible to every
// context, every pool and the JS side (`from py_contexts import state`, `py.state`).
//
// Values are stored as copied convert::Value trees, never as PyObjects, so nothing in the
// store belongs to any interpreter: the same table would serve sub-interpreters (each
// converting in and out under its own GIL) and the JS thread (converting without any GIL).
//
// GIL RULE: the store never takes the GIL and never touches a PyObject. It is guarded by its
// own mutex, which is held only for map operations (never while converting or waiting), so
// Python threads may call it with the GIL held and the JS thread may call it directly; on a
// free-threaded build the mutex alone makes every operation atomic.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "convert/value.h"

namespace pyc {

class EventSink;

namespace state {

// What a failed operation reports; the caller turns it into a Python or JS exception.
enum class Fail { None, Missing, Type, Limit, Overflow };

struct Result {
  Fail fail = Fail::None;
  std::string message;
  bool ok() const { return fail == Fail::None; }
};

struct Limits {
  uint64_t maxEntries = 100000;
  uint64_t maxBytes = 256ull * 1024 * 1024;
};

class Store {
 public:
  static Store& Instance();

  // Checks that `v` can be stored (plain data only) and turns lent JS memory into an owned
  // copy. On failure the message names `key`.
  static Result Prepare(const std::string& key, convert::Value& v);

  Result Get(const std::string& key, convert::Value& out);
  Result Set(const std::string& key, convert::Value v);
  Result Delete(const std::string& key);
  bool Contains(const std::string& key);
  std::vector<std::string> Keys();
  size_t Size();
  // Adds `by` (an Int or Float value) to the number under `key` (0 when missing); `out` is
  // the new value.
  Result Incr(const std::string& key, const convert::Value& by, convert::Value& out);
  // Stores `dflt` when `key` is missing; `out` is the value under `key` afterwards.
  Result SetDefault(const std::string& key, convert::Value dflt, convert::Value& out);
  // Stores every pair or none (limits are checked for the whole batch).
  Result Update(std::vector<std::pair<std::string, convert::Value>> items);
  void Clear();

  void SetLimits(Limits l);
  Limits GetLimits();
  uint64_t Bytes();

  // A change posts EventKind::StateChanged (no payload) to this sink; JS then calls TakeChanges().
  void SetSink(std::weak_ptr<EventSink> sink);

  // JS thread: the keys changed since the last call ("" first if clear() happened meanwhile).
  std::vector<std::string> TakeChanges();

  // Short Python-like repr of the value under key (for the tree); nullopt if missing.
  std::optional<std::string> Repr(const std::string& key, size_t maxChars);

 private:
  Result CheckLimitsLocked(int64_t entriesDelta, int64_t bytesDelta);
  void Notify(const std::vector<std::string>& keys);

  std::mutex m_;
  std::map<std::string, convert::Value> entries_;
  std::map<std::string, uint64_t> sizes_;
  uint64_t bytes_ = 0;
  Limits limits_;
  std::weak_ptr<EventSink> sink_;
  std::set<std::string> changed_;
  bool clearedSinceDrain_ = false;
};

// Approximate memory of a stored entry, for the total-size limit.
uint64_t ApproxBytes(const std::string& key, const convert::Value& v);
// A Python-like repr of a plain Value, cut at maxChars.
std::string ReprValue(const convert::Value& v, size_t maxChars);

}  // namespace state
}  // namespace pyc
