"""Execute one notebook through the real Jupyter machinery (nbclient driving the registered kernel) and
export it to HTML. Called by tools/notebooks.mjs, one process per notebook, with one JSON argument:

  {"input", "output_notebook", "output_html", "kernel_name", "timeout", "cwd", "plotly_src_notebook",
   "plotly_src_html", "result"}

("plotly_src_notebook" is unused: outputs never carry plotly.js; a Jupyter server serves it from the
project root.)

Writes the executed notebook (also when a cell failed: the outputs up to the failure are kept), the HTML
page, and a result file {"status": "ok"|"error"|"timeout", "error": {"cell", "message"}|null}. Checks are
not read here: the kernel appends them to the file named by HS_CHECKS and the runner reads it.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLACEHOLDER = '<p class="hs-plot-message">'  # lib/notebook/plot.ts: the static text of a plot's div
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plot_outputs(nb):
    return [out for cell in nb.cells for out in cell.get("outputs", [])
            if out.get("output_type") in ("display_data", "execute_result") and PLOTLY_MIME in out.get("data", {})]


def add_static_images(nb, work):
    """Give every plot an image/png (drawn by headless Chromium from the Plotly figure), for previews that drop
    scripts (GitHub, nbviewer). Skipped, keeping the notebook as it is, where Chromium or node is missing,
    or when HS_STATIC_IMAGES=0."""
    outputs = plot_outputs(nb)
    node = shutil.which("node")
    if not outputs or not node or os.environ.get("HS_STATIC_IMAGES") == "0" or not os.path.exists("/usr/bin/chromium"):
        return
    figures, images = work + ".figures.json", work + ".images.json"
    with open(figures, "w") as f:
        json.dump([out["data"][PLOTLY_MIME] for out in outputs], f)
    try:
        done = subprocess.run([node, os.path.join(ROOT, "tools", "plot-images.mjs"), figures, images],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        if done.returncode != 0:
            sys.stderr.write(done.stderr.decode(errors="replace"))
            return
        with open(images) as f:
            pngs = json.load(f)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        sys.stderr.write("static images skipped: %s\n" % e)
        return
    finally:
        for name in (figures, images):
            if os.path.exists(name):
                os.remove(name)
    for out, png in zip(outputs, pngs):
        if png:
            out["data"]["image/png"] = png
            # Previews that render text/html without its scripts (GitHub, nbviewer) show this image; the
            # drawing script replaces it with the interactive plot.
            html = out["data"].get("text/html")
            text = "".join(html) if isinstance(html, list) else html
            if text and PLACEHOLDER in text:
                img = '<img class="hs-plot-image" alt="static image of the plot" style="max-width:100%%" src="data:image/png;base64,%s">' % png
                out["data"]["text/html"] = text.replace(PLACEHOLDER, img + PLACEHOLDER, 1)


def with_plotly_script(html, src):
    """Exported pages load the shared plotly.js in <head>, so every plot draws at once; outputs never carry it."""
    return html.replace("</head>", '<script src="%s"></script>\n</head>' % src, 1)


def write_atomic(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def sign(nb):
    """Trust the executed copy as `jupyter trust` does (the user's notebook secret), so its plots draw when
    opened; where no secret can be written, the first cell says how to trust it."""
    try:
        from nbformat.sign import NotebookNotary
        NotebookNotary().sign(nb)
        return True
    except Exception as e:  # read-only home, no sqlite: say it in the notebook instead
        sys.stderr.write("not signed: %s\n" % first_line(e))
        return False


UNTRUSTED_NOTE = ("*Executed copy.* If its plots do not draw, trust it: File > Trust Notebook, or "
                  "`jupyter trust <this file>`.")


def first_line(text, limit=300):
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def cell_error_message(nb, index, exc):
    """tslab reports a failing cell as ename "<Error>" with an empty value and writes the real message
    (a thrown error, or TypeScript's diagnostics) to the cell's stderr: take it from there."""
    ename = getattr(exc, "ename", "") or ""
    evalue = first_line(getattr(exc, "evalue", "") or "")
    if ename and ename != "<Error>" and evalue:
        return "%s: %s" % (ename, evalue)
    stderr = ""
    if index is not None and 0 <= index < len(nb.cells):
        for out in nb.cells[index].get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                stderr += out.get("text", "")
            elif out.get("output_type") == "error":
                stderr += "\n".join(out.get("traceback", []))
    lines = [l.strip() for l in re.sub(r"\x1b\[[0-9;]*m", "", stderr).splitlines() if l.strip()]
    for line in lines:
        if re.match(r"^([A-Za-z_$][\w$.]*)?(Error|Exception)\b[^:]*:", line) or re.match(r"^\d+:\d+ - ", line):
            return first_line(line)
    return first_line(lines[0]) if lines else (first_line(exc) or "the cell failed")


# A study's progress lines (lib/tasks: "tasks <study>: task k of N done, elapsed ..., about ... left") are
# copied to this process's stderr behind PROGRESS as the kernel prints them, so that the runner shows them
# live in the terminal: a paper-scale cell can run for hours, and its output reaches the notebook only at the end.
PROGRESS = "\x1eprogress "
PROGRESS_LINE = re.compile(r"^tasks \S+: ")


def progress_lines(msg):
    """The progress lines of a kernel message (stdout stream text only)."""
    if msg.get("msg_type") != "stream" or msg.get("content", {}).get("name") != "stdout":
        return []
    return [l for l in msg["content"].get("text", "").splitlines() if PROGRESS_LINE.match(l)]


def main():
    args = json.loads(sys.argv[1])
    result = {"status": "ok", "error": None}

    def finish():
        write_atomic(args["result"], json.dumps(result))

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from traitlets.config import Config
    except ImportError as e:  # the runner checks this first; keep a clear message anyway
        result.update(status="error", error={"cell": None, "message": "Jupyter is missing (%s)" % e})
        return finish()

    try:
        nb = nbformat.read(args["input"], as_version=4)
        nbformat.validate(nb)
    except Exception as e:
        result.update(status="error", error={"cell": None, "message": "malformed notebook: %s" % first_line(e)})
        return finish()

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            for line in progress_lines(msg):
                sys.stderr.write(PROGRESS + line + "\n")
                sys.stderr.flush()
            return super().output(outs, msg, display_id, cell_index)

    kernel_name = nb.metadata.get("kernelspec", {}).get("name") or args["kernel_name"]
    # The kernel talks over ipc (Unix socket files in a private folder), not tcp: for tcp, jupyter_client picks
    # five free ports, closes them and hands them to the kernel to bind, and under load another process (a
    # concurrent notebook's kernel) can take one in between, so the kernel fails to start. A socket path must
    # stay under the 108-byte Unix limit, hence a short temporary folder rather than one under build/.
    # Windows has no ipc transport in ZeroMQ: there the kernel keeps tcp.
    sockets = tempfile.mkdtemp(prefix="hs-k") if os.name == "posix" else None
    config = Config()
    if sockets:
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(sockets, "k")
    client = Client(
        nb,
        timeout=args["timeout"],
        kernel_name=kernel_name,
        resources={"metadata": {"path": args["cwd"]}},
        shutdown_kernel="immediate",  # a cell stuck in a synchronous loop never answers a polite shutdown
        interrupt_on_timeout=False,
        startup_timeout=120,
        record_timing=True,
        # After a cell's reply nbclient waits this long for the rest of its output (default 4 s): a cell that
        # printed a burst (a blocked study's queued progress lines) may still be streaming it, its error last.
        iopub_timeout=60,
        config=config,
    )
    current = {"index": None}

    def on_cell_start(cell, cell_index, **_kw):
        current["index"] = cell_index

    client.on_cell_start = on_cell_start
    try:
        client.execute()
    except CellTimeoutError:
        result.update(status="timeout", error={
            "cell": current["index"],
            "message": "cell %s ran past the %s s timeout" % (current["index"], args["timeout"])})
    except DeadKernelError as e:
        result.update(status="error", error={"cell": current["index"], "message": "the kernel died: %s" % first_line(e)})
    except CellExecutionError as e:
        message = cell_error_message(nb, current["index"], e)
        result.update(status="error", error={"cell": current["index"], "message": message})
    except Exception as e:  # no such kernel, kernel failed to start, ...
        result.update(status="error", error={"cell": current["index"], "message": "%s: %s" % (type(e).__name__, first_line(e))})
    finally:
        if sockets:
            shutil.rmtree(sockets, ignore_errors=True)

    executed = copy.deepcopy(nb)
    add_static_images(executed, os.path.splitext(args["result"])[0])
    if not sign(executed):
        executed.cells.insert(0, nbformat.v4.new_markdown_cell(UNTRUSTED_NOTE))
    write_atomic(args["output_notebook"], nbformat.writes(executed))

    try:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
        write_atomic(args["output_html"], with_plotly_script(body, args["plotly_src_html"]))
    except Exception as e:
        if result["status"] == "ok":
            result.update(status="error", error={"cell": None, "message": "HTML export failed: %s" % first_line(e)})
    finish()


if __name__ == "__main__":
    main()
