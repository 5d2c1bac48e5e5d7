-- GET requests for wrk, one path per seeded user. python -m bench writes a prelude above this file
-- that defines:
--   tokens  a bearer token per seeded user
--   paths   the path each user requests (GET /goals?limit=20, GET /weights/trend?from=&to=)
-- Each request picks a random user. At the end one line "BENCH {json}" reports the counts, errors
-- and latency percentiles (microseconds), as requests.lua does.

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
end

function request()
   local user = math.random(#tokens)
   return wrk.format("GET", paths[user], { ["Authorization"] = "Bearer " .. tokens[user] })
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
