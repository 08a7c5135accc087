// Lets go of Python memory that JavaScript held (numpy arrays shared as typed arrays).
//
// A typed array over a Python buffer keeps a Py_buffer export; V8 runs its finalizer on
// the JS thread, which must never wait for the GIL. The finalizer posts the release here;
// a helper thread of its own takes the GIL and runs every queued release in one hold.
//
// GIL RULE: Post() and Generation() take only this module's mutex, from any thread (GC
// finalizers on the JS thread included). Posted functions run on the helper thread with
// the GIL held (GilEnsure, the main interpreter). Releases from an interpreter that has
// since been finalized are dropped (leaked) instead of touching a dead runtime.
#pragma once
#include <cstdint>
#include <functional>

namespace pyc::releaser {

// The interpreter's life the caller is in; pass it back to Post(). Any thread.
uint64_t Generation();
// Runs `release` with the GIL held on the helper thread, unless the interpreter of
// `generation` is gone (then `release` is destroyed without running).
void Post(uint64_t generation, std::function<void()> release);
// Before finalization (runtime thread, no GIL): runs what is queued, stops the helper
// thread and starts a new generation. Safe to call twice.
void Stop();
// Number of releases queued or running: for tests (`_releasesPending`).
size_t Pending();

}  // namespace pyc::releaser
