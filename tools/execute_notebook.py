"""Execute one notebook through the real Jupyter machinery (nbclient driving the registered kernel) and
export it to HTML. Called by tools/notebooks.mjs, one process per notebook, with one JSON argument:

  {"input", "output_notebook", "output_html", "kernel_name", "timeout", "cwd", "plotly_src_notebook",
   "plotly_src_html", "result"}

Writes the executed notebook (also when a cell failed: the outputs up to the failure are kept), the HTML
page, and a result file {"status": "ok"|"error"|"timeout", "error": {"cell", "message"}|null}. Checks are
not read here: the kernel appends them to the file named by HS_CHECKS and the runner reads it.
"""
import copy
import json
import os
import re
import sys

MARKER = re.compile(r'<script data-hs-plotly-bundle="1">.*?</script>', re.S)


def share_plotly(nb, src):
    """Swap the plotly.js copy that the first plot inlines for a <script src> to one shared file."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html is None:
                continue
            text = "".join(html) if isinstance(html, list) else html
            if "data-hs-plotly-bundle" in text:
                out["data"]["text/html"] = MARKER.sub(lambda _m: '<script src="%s"></script>' % src, text)


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


def main():
    args = json.loads(sys.argv[1])
    result = {"status": "ok", "error": None}

    def finish():
        with open(args["result"], "w") as f:
            json.dump(result, f)

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    except ImportError as e:  # the runner checks this first; keep a clear message anyway
        result.update(status="error", error={"cell": None, "message": "Jupyter is missing (%s)" % e})
        return finish()

    try:
        nb = nbformat.read(args["input"], as_version=4)
        nbformat.validate(nb)
    except Exception as e:
        result.update(status="error", error={"cell": None, "message": "malformed notebook: %s" % first_line(e)})
        return finish()

    kernel_name = nb.metadata.get("kernelspec", {}).get("name") or args["kernel_name"]
    client = NotebookClient(
        nb,
        timeout=args["timeout"],
        kernel_name=kernel_name,
        resources={"metadata": {"path": args["cwd"]}},
        shutdown_kernel="immediate",  # a cell stuck in a synchronous loop never answers a polite shutdown
        interrupt_on_timeout=False,
        startup_timeout=120,
        record_timing=True,
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

    os.makedirs(os.path.dirname(args["output_notebook"]), exist_ok=True)
    executed = copy.deepcopy(nb)
    share_plotly(executed, args["plotly_src_notebook"])
    nbformat.write(executed, args["output_notebook"])

    try:
        from nbconvert import HTMLExporter
        share_plotly(nb, args["plotly_src_html"])
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
        os.makedirs(os.path.dirname(args["output_html"]), exist_ok=True)
        with open(args["output_html"], "w", encoding="utf-8") as f:
            f.write(body)
    except Exception as e:
        if result["status"] == "ok":
            result.update(status="error", error={"cell": None, "message": "HTML export failed: %s" % first_line(e)})
    finish()


if __name__ == "__main__":
    main()
