{
  "variables": {
    "asan%": "0",
  },
  "targets": [
    {
      "target_name": "py_contexts",
      "sources": [
        "src/module.cpp",
        "src/runtime/interpreter.cpp",
        "src/runtime/native_module.cpp",
        "src/runtime/events.cpp",
        "src/runtime/interrupter.cpp",
        "src/objects/engine.cpp",
        "src/objects/context.cpp",
        "src/convert/from_js.cpp",
        "src/convert/to_js.cpp",
        "src/convert/to_python.cpp",
        "src/convert/from_python.cpp",
        "src/errors/capture.cpp",
      ],
      "actions": [],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node scripts/discover-python.js include)",
        "src",
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "PY_CONTEXTS_BUILD_INFO_PATH=<!(node scripts/discover-python.js record)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-Wno-cast-function-type"],
      "libraries": [
        "-L<!(node scripts/discover-python.js libdir)",
        "<!(node scripts/discover-python.js lib)",
        "-Wl,-rpath,<!(node scripts/discover-python.js libdir)",
        "-ldl",
        "-lpthread",
      ],
      "conditions": [
        ["asan==1", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address"],
        }],
      ],
    },
  ],
}
