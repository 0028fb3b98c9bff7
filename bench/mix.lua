-- wrk script of the load benchmark (bench/concurrency.py writes `routes` before this text).
-- Each wrk thread drives one keep-alive connection (-t N -c N), so the response that arrives is
-- the answer to the request this thread sent last: its route and start time are kept in locals.
-- Latencies come from CLOCK_MONOTONIC through LuaJIT's FFI.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } kg_timespec;
  int clock_gettime(int clock, kg_timespec *out);
]]
local clock = ffi.new("kg_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

local total = 0
for _, route in ipairs(routes) do total = total + route.weight end

-- Each thread writes one line per answer ("route<TAB>status<TAB>ms") to a file of its own in
-- `results` (set by bench/concurrency.py), flushed when wrk exits: copying tables of results out of
-- the threads in done() crashed wrk 4.1.
local current, currentIndex, started, out

function init(args)
  math.randomseed(seed * 7919)
  out = assert(io.open(results .. "/thread-" .. seed .. ".tsv", "w"))
  out:setvbuf("full", 1048576)
end

function request()
  local pick = math.random() * total
  currentIndex = #routes
  for index, route in ipairs(routes) do
    pick = pick - route.weight
    if pick <= 0 then currentIndex = index break end
  end
  current = routes[currentIndex]
  started = now_ms()
  return wrk.format("GET", current.paths[math.random(#current.paths)])
end

function response(status, headers, body)
  out:write(currentIndex, "\t", status, "\t", now_ms() - started, "\n")
end

function done(summary, latency, requests)
  io.write("KG-SUMMARY errors ", summary.errors.connect, " ", summary.errors.read, " ", summary.errors.write,
           " ", summary.errors.status, " ", summary.errors.timeout, "\n")
end
