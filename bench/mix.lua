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

local current, started
latencies, statuses = {}, {}

function init(args)
  math.randomseed(seed * 7919)
  for _, route in ipairs(routes) do
    latencies[route.name] = {}
    statuses[route.name] = {}
  end
end

function request()
  local pick = math.random() * total
  for _, route in ipairs(routes) do
    pick = pick - route.weight
    if pick <= 0 then current = route break end
  end
  current = current or routes[#routes]
  started = now_ms()
  return wrk.format("GET", current.paths[math.random(#current.paths)])
end

function response(status, headers, body)
  local spent = now_ms() - started
  local name = current.name
  table.insert(latencies[name], spent)
  statuses[name][status] = (statuses[name][status] or 0) + 1
end

function done(summary, latency, requests)
  io.write("KG-SUMMARY errors ", summary.errors.connect, " ", summary.errors.read, " ", summary.errors.write,
           " ", summary.errors.status, " ", summary.errors.timeout, "\n")
  for _, thread in ipairs(threads) do
    local lat, sts = thread:get("latencies"), thread:get("statuses")
    for name, values in pairs(lat) do
      io.write("KG-LAT\t", name, "\t", table.concat(values, ","), "\n")
    end
    for name, counts in pairs(sts) do
      for status, count in pairs(counts) do
        io.write("KG-STATUS\t", name, "\t", status, "\t", count, "\n")
      end
    end
  end
end
