"""The reviewer's side: triage a run's flags in the browser, add what was missed, export MQM
annotations, and calibrate the detectors on the decisions.

    run.py        a batch folder or a JSON report, read back as articles with stable flag ids
    decisions.py  the SQLite store of decisions (append-only, attributed, timestamped)
    export.py     decisions as JSONL and as WMT20 QE task-3 TSV; gold spans for benchmarks
    calibrate.py  precision per detector from the decisions, and the config that follows
    app.py        the web application (Starlette)
    server.py     serving it (uvicorn) on a free loopback port
"""
