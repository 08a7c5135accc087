// Calls from Python into the host: `host.call('name', *args)` posts a request to the JS thread
// and waits for the registered JS function's answer.
//
// The table of requests waiting for an answer is process-global and guarded by its own mutex,
// so any Python thread can call (context threads and threads user code started, on GIL and
// free-threaded builds alike) and the JS thread answers without the GIL.
//
// GIL RULE: Call() is entered with the GIL RELEASED (the caller converts the arguments under
// the GIL first, then releases it and waits here). A context thread waits through its
// context's interruptible wait, so interrupting the call (or its timeoutMs) ends the wait;
// other threads wait on the table's condition variable, up to their timeout.
#pragma once
#include <cstdint>
#include <memory>

#include "convert/value.h"

namespace pyc {

class EventSink;

namespace host {

enum class Outcome { Ok, Error, Interrupted, TimedOut, NoHost };

// Where requests are posted (EventKind::HostCall, call = request id). Opens the table.
void SetSink(std::weak_ptr<EventSink> sink);

// The engine is shutting down: every waiting call ends now with an error answer, and later
// calls fail at once (NoHost), so no Python thread waits for a JS thread that is going away.
void Close();

// `request` is [name, args, kwargs, contextId]. `seconds` < 0: no time limit. On Ok `out` is
// the JS result; on Error it is {type, message, stack}.
Outcome Call(convert::Value request, double seconds, convert::Value& out);

// JS thread: the answer to request `id`. An answer nobody waits for any more (interrupted,
// timed out) is dropped.
void Reply(uint32_t id, bool ok, convert::Value value);

// How many requests wait for an answer (tests and the tree).
size_t Pending();

}  // namespace host
}  // namespace pyc
