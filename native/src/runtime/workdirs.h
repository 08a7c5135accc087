// Working directories: one per process (document), kept apart per context thread.
//
// The directory belongs to the extension host that every other extension shares, and two
// contexts run different documents at the same moment, so changing the host's directory is
// no answer. On Linux a thread can own its filesystem attributes: a context thread calls
// unshare(CLONE_FS) once at start, after which chdir() on it moves only that thread (and
// threads it starts, which share its fs struct; subprocesses it spawns start there too).
// Before a job the context chdirs to the job's process directory (only when it differs from
// where the thread already is), and after the job reads the directory back, so os.chdir()
// in user code persists for that process on whichever context runs it next.
//
// Header-only so the build files stay untouched.
//
// THREADS: WorkDirs is shared by the JS thread (Set/Get/Forget) and every context thread
// (Lookup/Set); a mutex guards it, never the GIL (free-threaded builds have none).
#pragma once

#include <cerrno>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#ifdef __linux__
#include <sched.h>
#endif

namespace pyc {

class WorkDirs {
 public:
  void Set(const std::string& process, const std::string& dir) {
    std::lock_guard<std::mutex> lock(m_);
    dirs_[process] = dir;
  }

  // Any thread: the process's directory, or "" when it has none.
  std::string Get(const std::string& process) {
    std::lock_guard<std::mutex> lock(m_);
    auto it = dirs_.find(process);
    return it == dirs_.end() ? std::string() : it->second;
  }

  void Forget(const std::string& process) {
    std::lock_guard<std::mutex> lock(m_);
    dirs_.erase(process);
  }

  // Context thread, hot path: true (and `out` set) only when the process has a directory
  // other than `here`, so the common case copies nothing and makes no syscall.
  bool Differs(const std::string& process, const std::string& here, std::string& out) {
    std::lock_guard<std::mutex> lock(m_);
    auto it = dirs_.find(process);
    if (it == dirs_.end() || it->second == here) return false;
    out = it->second;
    return true;
  }

 private:
  std::mutex m_;
  std::unordered_map<std::string, std::string> dirs_;
};

// Detaches the calling thread's cwd and umask from the rest of the process. Returns 0 or
// an errno value (ENOSYS where the platform has no per-thread directory).
inline int UnshareThreadFs() {
#ifdef __linux__
  return unshare(CLONE_FS) == 0 ? 0 : errno;
#else
  return ENOSYS;
#endif
}

// Whether context threads can have a directory of their own, probed once on a throwaway
// thread (unsharing the JS thread itself would detach Node's own directory).
inline bool PrivateThreadFsSupported() {
  static const bool supported = [] {
    int rc = ENOSYS;
    std::thread probe([&rc] { rc = UnshareThreadFs(); });
    probe.join();
    return rc == 0;
  }();
  return supported;
}

}  // namespace pyc
