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

-- Per-thread results live in flat globals (lat_1, lat_2, ... and counts["route|status"]):
-- wrk 4.1 crashes copying nested tables out of a thread in done().
local current, currentIndex, started
counts = {}

function init(args)
  math.randomseed(seed * 7919)
  for index, _ in ipairs(routes) do _G["lat_" .. index] = {} end
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
  local values = _G["lat_" .. currentIndex]
  values[#values + 1] = now_ms() - started
  local key = currentIndex .. "|" .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  io.write("KG-SUMMARY errors ", summary.errors.connect, " ", summary.errors.read, " ", summary.errors.write,
           " ", summary.errors.status, " ", summary.errors.timeout, "\n")
  for _, thread in ipairs(threads) do
    for index, route in ipairs(routes) do
      local values = thread:get("lat_" .. index)
      if #values > 0 then io.write("KG-LAT\t", route.name, "\t", table.concat(values, ","), "\n") end
    end
    for key, count in pairs(thread:get("counts")) do
      local index, status = key:match("(%d+)|(%d+)")
      io.write("KG-STATUS\t", routes[tonumber(index)].name, "\t", status, "\t", count, "\n")
    end
  end
end
