// Delivers KeyboardInterrupt into context threads.
//
// PyThreadState_SetAsyncExc needs the GIL, and acquiring it can take milliseconds
// while a context runs CPU-bound code, so the JS thread only enqueues a request
// here and returns at once; this helper thread waits for the GIL.
#pragma once
#include <memory>

namespace pyc {

class ContextCore;

namespace interrupter {
void Request(std::shared_ptr<ContextCore> ctx, uint32_t call);
// Stops the helper thread (before finalization). Safe to call twice.
void Stop();
}  // namespace interrupter

}  // namespace pyc
