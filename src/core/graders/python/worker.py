# RFT Studio python grader worker: one long-lived process per grader, taking batches over stdin/stdout.
#
# Protocol (one JSON object per line; fd 1 is reserved for it, the grader's own prints are captured):
#   -> {"type":"init","source":str,"limits":{...}}     <- {"type":"ready"} | {"type":"init_error",...}
#   -> {"type":"batch","rows":[{"i":int,"sample":{},"item":{}}]}
#   <- {"type":"result","i":int,"ok":true,"value":float,"time":s,"stdout":str}
#   <- {"type":"result","i":int,"ok":false,"error":str,"traceback":str,"time":s,"stdout":str}
#   <- {"type":"batch_done"}
# Limits applied here (the host adds namespaces and the hard kill): RLIMIT_AS, RLIMIT_FSIZE,
# RLIMIT_NPROC (not enforced for root), a per-call SIGALRM time limit, a cap on captured output,
# and, when asked, socket creation blocked in-process.
import io
import json
import linecache
import math
import os
import signal
import sys
import time
import traceback

_proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 1)  # C-level writes to stdout go nowhere; Python-level prints are captured below


def _send(obj):
    _proto.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
    _proto.flush()


class _CappedWriter(io.TextIOBase):
    def __init__(self, cap):
        self.cap = cap
        self.parts = []
        self.size = 0
        self.dropped = 0

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            s = str(s)
        room = self.cap - self.size
        if room > 0:
            piece = s[:room]
            self.parts.append(piece)
            self.size += len(piece)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self):
        out = "".join(self.parts)
        if self.dropped:
            out += "\n[... %d more characters dropped: output cap %d]" % (self.dropped, self.cap)
        return out


class GraderTimeout(BaseException):
    """Raised inside grade() when the per-call time limit passes (BaseException: `except Exception` can't eat it)."""


def _on_alarm(signum, frame):
    raise GraderTimeout("grade() did not return within the time limit")


def _apply_limits(limits):
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to apply
        return []
    applied = []
    for name, key in (("RLIMIT_AS", "as_bytes"), ("RLIMIT_FSIZE", "fsize_bytes"), ("RLIMIT_NPROC", "nproc")):
        value = limits.get(key)
        if value and hasattr(resource, name):
            try:
                resource.setrlimit(getattr(resource, name), (int(value), int(value)))
                applied.append(name)
            except (ValueError, OSError):
                pass
    return applied


def _block_network():
    import socket as _socket_mod

    def _refuse(*args, **kwargs):
        raise PermissionError("network access is disabled for graders")

    class _NoSocket(_socket_mod.socket):
        def __init__(self, *args, **kwargs):
            _refuse()

    _socket_mod.socket = _NoSocket
    _socket_mod.create_connection = _refuse
    _socket_mod.socketpair = _refuse
    try:
        import _socket

        _socket.socket = _NoSocket
    except ImportError:
        pass


def _as_reward(value):
    if isinstance(value, bool):
        raise TypeError("grade() returned a bool (%r); return a float" % value)
    try:
        import numbers

        if not isinstance(value, numbers.Real):
            raise TypeError("grade() returned %s, not a number" % type(value).__name__)
    except ImportError:
        pass
    f = float(value)
    if not math.isfinite(f):
        raise ValueError("grade() returned %r, not a finite number" % f)
    return f


def _format_exc(e):
    """The traceback from the grader's own frames on (the worker's frames are noise to the user)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != "grader.py":
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(e), e, tb))
    if len(text) > 65536:
        text = text[:32768] + "\n[... traceback truncated ...]\n" + text[-32768:]
    return text


def main():
    init = json.loads(sys.stdin.readline() or "{}")
    limits = init.get("limits") or {}
    cap = int(limits.get("output_cap") or 1 << 20)
    applied = _apply_limits(limits)
    if limits.get("block_network"):
        _block_network()
    signal.signal(signal.SIGALRM, _on_alarm)
    timeout = float(limits.get("timeout_s") or 120)
    module = {"__name__": "grader"}
    capture = _CappedWriter(cap)
    sys.stdout = capture
    sys.stderr = capture
    try:
        source = init.get("source", "")
        linecache.cache["grader.py"] = (len(source), None, source.splitlines(True), "grader.py")
        code = compile(source, "grader.py", "exec")
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            exec(code, module)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        grade = module.get("grade")
        if not callable(grade):
            raise NameError("the source defines no grade(sample, item) function")
    except BaseException as e:  # noqa: B902 - report anything, including SystemExit and timeouts
        _send(
            {
                "type": "init_error",
                "error": "%s: %s" % (type(e).__name__, e),
                "traceback": _format_exc(e) if not isinstance(e, SyntaxError) else traceback.format_exc(limit=0),
                "stdout": capture.text(),
            }
        )
        return
    _send({"type": "ready", "limits": applied, "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        if msg.get("type") != "batch":
            continue
        for row in msg.get("rows", []):
            capture = _CappedWriter(cap)
            sys.stdout = capture
            sys.stderr = capture
            t0 = time.perf_counter()
            try:
                signal.setitimer(signal.ITIMER_REAL, timeout)
                try:
                    value = grade(row.get("sample"), row.get("item"))
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                reward = _as_reward(value)
                out = {"type": "result", "i": row["i"], "ok": True, "value": reward}
            except BaseException as e:  # noqa: B902
                if isinstance(e, (KeyboardInterrupt,)):
                    raise
                out = {"type": "result", "i": row["i"], "ok": False, "error": "%s: %s" % (type(e).__name__, str(e)[:4096]), "traceback": _format_exc(e)}
            out["time"] = time.perf_counter() - t0
            out["stdout"] = capture.text()
            try:
                _send(out)
            except (TypeError, ValueError) as e:
                _send({"type": "result", "i": row["i"], "ok": False, "error": "could not encode result: %s" % e, "traceback": "", "time": out["time"], "stdout": ""})
        _send({"type": "batch_done"})


if __name__ == "__main__":
    main()
