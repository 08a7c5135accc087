# Describes this interpreter as JSON, for the engine (which libpython to load, which core to
# use) and for the build (which headers). It must run under any Python, 2.7 and PyPy included,
# so that an unsupported one is reported by name instead of failing with a syntax error.
import json
import os
import platform
import sys

try:
    import sysconfig

    var = sysconfig.get_config_var
except ImportError:  # very old Pythons
    def var(name):
        return None

print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "versionInfo": list(sys.version_info[:3]),
    "implementation": platform.python_implementation(),
    "sysVersion": sys.version,
    "prefix": sys.prefix,
    "basePrefix": getattr(sys, "base_prefix", sys.prefix),
    "abiflags": getattr(sys, "abiflags", ""),
    "INCLUDEPY": var("INCLUDEPY"),
    "LIBDIR": var("LIBDIR"),
    "LIBPL": var("LIBPL"),
    "LDLIBRARY": var("LDLIBRARY"),
    "INSTSONAME": var("INSTSONAME"),
    "MULTIARCH": var("MULTIARCH"),
    "Py_ENABLE_SHARED": var("Py_ENABLE_SHARED"),
    "Py_GIL_DISABLED": var("Py_GIL_DISABLED"),
    "platform": sys.platform,
    "pathSep": os.pathsep,
}))
