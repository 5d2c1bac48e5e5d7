-- The requests of one benchmark run, for wrk. python -m bench writes a prelude above this file
-- that defines:
--   mode        "get" | "list" | "create" | "update"
--   tokens      a bearer token per seeded user
--   first_task  each user's first task id (a user's tasks have consecutive ids)
--   per_user    tasks per user
--   list_paths  each user's GET /tasks path (first page, or a deeper page with its cursor)
-- Each request picks a random user, and for get/update a random task of theirs. At the end one
-- line "BENCH {json}" reports the counts, errors and latency percentiles (microseconds).

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
end

local function headers(user)
   return {
      ["Authorization"] = "Bearer " .. tokens[user],
      ["Content-Type"] = "application/json",
   }
end

local create_body = '{"title":"Written by wrk","description":"A task from the benchmark"}'
local update_bodies = { '{"completed":true}', '{"completed":false}' }

function request()
   local user = math.random(#tokens)
   if mode == "get" then
      local id = first_task[user] + math.random(0, per_user - 1)
      return wrk.format("GET", "/tasks/" .. id, headers(user))
   elseif mode == "list" then
      return wrk.format("GET", list_paths[user], headers(user))
   elseif mode == "create" then
      return wrk.format("POST", "/tasks", headers(user), create_body)
   else
      local id = first_task[user] + math.random(0, per_user - 1)
      return wrk.format("PATCH", "/tasks/" .. id, headers(user), update_bodies[math.random(2)])
   end
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
