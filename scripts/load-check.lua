-- wrk script for scripts/load-test.sh: sends the prepared cases round-robin
-- to POST /v1/evaluate and checks every response body, byte for byte,
-- against the CLI's `refuge eval --format json` output for the same case
-- (each case's description starts `load-N:`, which the evaluation echoes).

local dir = os.getenv("LOAD_DIR")
local count = tonumber(os.getenv("LOAD_COUNT"))

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local bodies, expected = {}, {}
for i = 1, count do
  bodies[i] = read(dir .. "/cases/" .. i .. ".json")
  expected[i] = read(dir .. "/expected/" .. i .. ".json")
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Globals, so that done() can read each thread's with thread:get().
next_case, checked, mismatched, failed = 0, 0, 0, 0

function request()
  next_case = next_case % count + 1
  return wrk.format("POST", "/v1/evaluate", { ["Content-Type"] = "application/json" }, bodies[next_case])
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    return
  end
  local n = tonumber(string.match(body, '"case": "load%-(%d+):'))
  checked = checked + 1
  if n == nil or body ~= expected[n] then
    mismatched = mismatched + 1
  end
end

function done(summary, latency, requests)
  local c, m, f = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("checked")
    m = m + t:get("mismatched")
    f = f + t:get("failed")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d non200=%d checked=%d mismatched=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, f, c, m))
end
