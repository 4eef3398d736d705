# RFT Studio python grader worker: a supervisor that owns the channel to the extension/CLI, and a grader
# process (this same script, run with the argument "child") that runs the user's grade() and nothing else.
#
# Why two processes: user code must not reach the result channel. The supervisor runs no user code, makes
# itself non-dumpable (so the grader process cannot open /proc/<supervisor>/fd/* nor ptrace it) and starts
# the grader process with only two private pipes. Every row sent to the grader carries a fresh random nonce
# the reply must echo, so anything the grader writes on its pipe can only ever be about its own current row.
#
# Channel to the host (one JSON object per line on the supervisor's stdin/stdout):
#   -> {"type":"init","source":str,"child_code":str,"limits":{...}}  <- {"type":"ready"} | {"type":"init_error",...}
#   -> {"type":"batch","rows":[{"i":int,"sample":{},"item":{}}]}
#   <- {"type":"result","i":int,"ok":true,"value":float,"time":s,"stdout":str}
#   <- {"type":"result","i":int,"ok":false,"kind":"runtime"|"protocol","error":str,"traceback":str,"time":s,"stdout":str}
#   <- {"type":"batch_done"}
# Limits applied in the grader process (the host adds the sandbox and the hard kill): RLIMIT_AS,
# RLIMIT_FSIZE, RLIMIT_NPROC (not enforced for root), a per-call SIGALRM time limit, a cap on captured
# output, and, when asked (no sandbox), socket creation blocked in-process.
import io
import json
import linecache
import math
import os
import signal
import sys
import time
import traceback

ERROR_CAP = 4096
TRACEBACK_CAP = 65536
# A reply carries at most output_cap characters of prints (JSON may escape each as \uXXXX) plus a traceback.
REPLY_SLACK = 1 << 20


def _reject_constant(name):
    raise ValueError("non-finite number %s in a reply" % name)


# --------------------------------------------------------------------------------------------------
# Grader process: runs user code. Everything in here is reachable by that code, so it holds no secret
# beyond the current row's nonce.


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
    import numbers

    if not isinstance(value, numbers.Real):
        raise TypeError("grade() returned %s, not a number" % type(value).__name__)
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
    if len(text) > TRACEBACK_CAP:
        text = text[: TRACEBACK_CAP // 2] + "\n[... traceback truncated ...]\n" + text[-TRACEBACK_CAP // 2 :]
    return text


def _set_alarm(seconds):
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _child_main():
    # The pipes to the supervisor move off fds 0/1, which then point at /dev/null: C-level writes to stdout
    # and reads from stdin go nowhere; Python-level prints are captured per call.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="replace", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)

    def send(obj):
        reply.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
        reply.flush()

    init = json.loads(requests.readline() or "{}")
    limits = init.get("limits") or {}
    cap = int(limits.get("output_cap") or 1 << 20)
    applied = _apply_limits(limits)
    if limits.get("block_network"):
        _block_network()
    if hasattr(signal, "SIGALRM"):
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
        _set_alarm(timeout)
        try:
            exec(code, module)
        finally:
            _set_alarm(0)
        grade = module.get("grade")
        if not callable(grade):
            raise NameError("the source defines no grade(sample, item) function")
    except BaseException as e:  # noqa: B902 - report anything, including SystemExit and timeouts
        send(
            {
                "n": init.get("n"),
                "type": "init_error",
                "error": "%s: %s" % (type(e).__name__, str(e)[:ERROR_CAP]),
                "traceback": _format_exc(e) if not isinstance(e, SyntaxError) else traceback.format_exc(limit=0),
            }
        )
        return
    send({"n": init.get("n"), "type": "ready", "limits": applied})
    for line in requests:
        msg = json.loads(line)
        capture = _CappedWriter(cap)
        sys.stdout = capture
        sys.stderr = capture
        try:
            _set_alarm(timeout)
            try:
                value = grade(msg.get("sample"), msg.get("item"))
            finally:
                _set_alarm(0)
            out = {"n": msg["n"], "ok": True, "value": _as_reward(value)}
        except BaseException as e:  # noqa: B902
            out = {"n": msg["n"], "ok": False, "error": "%s: %s" % (type(e).__name__, str(e)[:ERROR_CAP]), "traceback": _format_exc(e)}
        out["stdout"] = capture.text()
        try:
            send(out)
        except (TypeError, ValueError) as e:
            send({"n": msg["n"], "ok": False, "error": "could not encode result: %s" % e, "traceback": "", "stdout": ""})


# --------------------------------------------------------------------------------------------------
# Supervisor: no user code ever runs here.


def _make_undumpable():
    """Other processes of the same user (the grader) can then neither ptrace us nor open /proc/<us>/fd/*."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        PR_SET_DUMPABLE = 4
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except Exception:  # noqa: BLE001 - best effort; the sandbox still separates us from the host
        return False


class ProtocolError(Exception):
    """The grader process wrote something that is not exactly one well-formed reply for its current row."""


class GraderGone(Exception):
    """The grader process exited (crash, os._exit, killed by a limit)."""


class _Child:
    def __init__(self, child_code, init):
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", child_code, "child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
            bufsize=0,
        )
        self.fd = self.proc.stdout.fileno()
        self.cap = int((init.get("limits") or {}).get("output_cap") or 1 << 20) * 6 + REPLY_SLACK
        self.init = init

    def start(self):
        """Sends the source; returns the ready message or raises with the init_error."""
        nonce = os.urandom(16).hex()
        self.send(dict(self.init, n=nonce))
        msg = self.read(nonce)
        return msg

    def send(self, obj):
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise GraderGone(self.exit_reason())

    def read(self, nonce):
        buf = bytearray()  # appends in place: a flood up to the cap is copied once, not once per chunk
        nl = -1
        while nl < 0:
            if len(buf) > self.cap:
                raise ProtocolError("the grader process wrote a reply larger than %d bytes" % self.cap)
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise GraderGone(self.exit_reason())
            found = chunk.find(b"\n")
            if found >= 0:
                nl = len(buf) + found
            buf += chunk
        line, rest = bytes(buf[:nl]), buf[nl + 1 :]
        if len(line) > self.cap:
            raise ProtocolError("the grader process wrote a reply larger than %d bytes" % self.cap)
        if rest or self._pending():
            raise ProtocolError("the grader process wrote more than one reply")
        try:
            msg = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
        except ValueError as e:
            raise ProtocolError("the grader process wrote an unreadable reply (%s)" % e)
        if not isinstance(msg, dict) or msg.get("n") != nonce:
            raise ProtocolError("the grader process wrote a reply that is not for the current row")
        return msg

    def _pending(self):
        if os.name != "posix":
            return False
        import select

        if not select.select([self.fd], [], [], 0)[0]:
            return False
        # Readable is either more data (a second reply) or end of file (the grader process exited after
        # replying, e.g. after an init_error), which is no violation.
        return bool(os.read(self.fd, 1 << 16))

    def exit_reason(self):
        try:
            code = self.proc.wait(timeout=2)
        except Exception:  # noqa: BLE001
            self.kill()
            code = self.proc.wait()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            hint = " (killed: out of memory or a hard limit?)" if -code == getattr(signal, "SIGKILL", 9) else ""
            return "the grader process exited while grading (signal %s)%s" % (name, hint)
        return "the grader process exited while grading (exit code %s)" % code

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (OSError, AttributeError):
            try:
                self.proc.kill()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001
            pass


def _text(value, cap):
    if not isinstance(value, str):
        return ""
    return value if len(value) <= cap else value[:cap] + "\n[... truncated ...]"


def _checked_result(i, msg, output_cap):
    """The host-bound result built from a reply whose every field is checked here."""
    out = {"type": "result", "i": i, "stdout": _text(msg.get("stdout"), output_cap + 200)}
    if msg.get("ok") is True:
        value = msg.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise ProtocolError("the grader process replied with a reward that is not a finite number")
        out.update(ok=True, value=float(value))
    elif msg.get("ok") is False:
        out.update(
            ok=False,
            kind="runtime",
            error=_text(msg.get("error"), ERROR_CAP) or "grade() failed",
            traceback=_text(msg.get("traceback"), TRACEBACK_CAP),
        )
    else:
        raise ProtocolError("the grader process wrote a reply without a verdict")
    return out


def _supervisor_main():
    _make_undumpable()
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="replace", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)

    def send(obj):
        proto.write(json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n")
        proto.flush()

    init = json.loads(sys.stdin.readline() or "{}")
    child_code = init.pop("child_code")
    limits = init.get("limits") or {}
    output_cap = int(limits.get("output_cap") or 1 << 20)
    child_init = {"source": init.get("source", ""), "limits": limits}

    def fresh_child():
        child = _Child(child_code, child_init)
        try:
            msg = child.start()
        except (ProtocolError, GraderGone) as e:
            child.kill()
            return None, {"error": "the grader process failed to start: %s" % e, "traceback": ""}
        if msg.get("type") != "ready":
            child.kill()
            return None, {
                "error": _text(msg.get("error"), ERROR_CAP) or "grader failed to load",
                "traceback": _text(msg.get("traceback"), TRACEBACK_CAP),
            }
        return child, msg

    child, msg = fresh_child()
    if child is None:
        send(dict(msg, type="init_error"))
        return
    send({"type": "ready", "limits": msg.get("limits"), "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        batch = json.loads(line)
        if batch.get("type") != "batch":
            continue
        for row in batch.get("rows", []):
            i = row["i"]
            t0 = time.perf_counter()
            discard = False
            try:
                if child is None:
                    child, failure = fresh_child()
                    if child is None:
                        raise GraderGone(failure["error"])
                nonce = os.urandom(16).hex()
                child.send({"n": nonce, "sample": row.get("sample"), "item": row.get("item")})
                out = _checked_result(i, child.read(nonce), output_cap)
            except ProtocolError as e:
                out = {"type": "result", "i": i, "ok": False, "kind": "protocol", "error": str(e), "traceback": "", "stdout": ""}
                discard = True
            except GraderGone as e:
                out = {"type": "result", "i": i, "ok": False, "kind": "runtime", "error": str(e), "traceback": "", "stdout": ""}
                discard = True
            if discard and child is not None:
                # Whatever the grader process left on its pipe must not be read as the next row's reply.
                child.kill()
                child = None
            out["time"] = time.perf_counter() - t0
            send(out)
        send({"type": "batch_done"})
    if child is not None:
        child.kill()


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        _child_main()
    else:
        _supervisor_main()
