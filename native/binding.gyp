# Two kinds of addon are built here:
# - py_contexts_loader: no Python at all. It dlopens the chosen interpreter's libpython with
#   RTLD_NOW | RTLD_GLOBAL at run time (src/loader/loader.cpp).
# - core_<abi>: the engine, compiled once per Python ABI (cp311, cp313, cp313t, …) against that
#   Python's headers and linked against no libpython, so no build-machine path reaches it.
#   Their targets are generated into cores.gypi by scripts/build-native.mjs from the Pythons
#   it finds (see DEVELOPERS.md).
{
  "variables": {
    "asan%": "0",
    "core_sources": [
      "src/module.cpp",
      "src/runtime/interpreter.cpp",
      "src/runtime/runtime_entries.cpp",
      "src/runtime/native_module.cpp",
      "src/runtime/events.cpp",
      "src/runtime/interrupter.cpp",
      "src/runtime/releaser.cpp",
      "src/runtime/state_store.cpp",
      "src/runtime/host_calls.cpp",
      "src/runtime/bridge_module.cpp",
      "src/runtime/foreign_interpreters.cpp",
      "src/objects/bridge.cpp",
      "src/objects/engine.cpp",
      "src/objects/completion_spin.cpp",
      "src/objects/context.cpp",
      "src/convert/from_js.cpp",
      "src/convert/to_js.cpp",
      "src/convert/to_python.cpp",
      "src/convert/from_python.cpp",
      "src/errors/capture.cpp",
    ],
  },
  "includes": ["cores.gypi"],
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-Wno-cast-function-type"],
    "libraries": ["-ldl", "-lpthread"],
    "conditions": [
      ["asan==1", {
        "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-O1"],
        "ldflags": ["-fsanitize=address"],
      }, {
        # As CPython's own release builds: without it, the asserts in Python's inline header
        # functions are compiled in (slower, and they embed the headers' build-machine paths).
        "defines": ["NDEBUG"],
      }],
    ],
  },
  "targets": [
    {
      "target_name": "py_contexts_loader",
      "sources": ["src/loader/loader.cpp"],
    },
  ],
}
