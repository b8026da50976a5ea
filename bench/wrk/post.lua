-- wrk script of bench/run.sh: POSTs the JSON in $WRK_BODY on every request and, at the end,
-- prints one machine-readable line (wrk's own report stays above it for people).
-- `status` counts answers with an HTTP status >= 400 (e.g. 503 overloaded); connect, read,
-- write and timeout are socket errors. Latency percentiles are of the answers that came back.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50us=%d p99us=%d maxus=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
