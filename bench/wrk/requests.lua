-- The requests of one benchmark run, for wrk. python -m bench writes a prelude above this file
-- that defines:
--   mode        "get" | "list" | "create" | "update" (tasks) | "days" | "log" | "reserve" (diary)
--               | "today" (the home screen)
--   tokens      a bearer token per seeded user
--   first_task  each user's first task id (a user's tasks have consecutive ids)
--   per_user    tasks per user
--   list_paths  each user's GET /tasks path (first page, or a deeper page with its cursor)
--   days_query  from=...&to=... for GET /nutrition/days (the last 30 days)
-- Each request picks a random user, and for get/update a random task of theirs, for reserve a
-- random kind. At the end one line "BENCH {json}" reports the counts, errors and latency
-- percentiles (microseconds).

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
local log_body = '{"meal_type":"lunch","items":[' ..
   '{"name":"Rice","grams":150,"calories":195,"protein_g":4.1,"carbs_g":42.3,"fat_g":0.4},' ..
   '{"name":"Chicken","grams":120,"calories":198,"protein_g":37.2,"carbs_g":0,"fat_g":4.3},' ..
   '{"name":"Broccoli","grams":90,"calories":31,"protein_g":2.5,"carbs_g":6,"fat_g":0.3,' ..
   '"fiber_g":2.4}]}'
local kinds = { "vision_analyses", "recipe_generations", "coach_messages" }

function request()
   local user = math.random(#tokens)
   if mode == "get" then
      local id = first_task[user] + math.random(0, per_user - 1)
      return wrk.format("GET", "/tasks/" .. id, headers(user))
   elseif mode == "list" then
      return wrk.format("GET", list_paths[user], headers(user))
   elseif mode == "create" then
      return wrk.format("POST", "/tasks", headers(user), create_body)
   elseif mode == "days" then
      return wrk.format("GET", "/nutrition/days?" .. days_query, headers(user))
   elseif mode == "log" then
      return wrk.format("POST", "/food-logs", headers(user), log_body)
   elseif mode == "today" then
      return wrk.format("GET", "/today", headers(user))
   elseif mode == "reserve" then
      return wrk.format("POST", "/usage/" .. kinds[math.random(#kinds)] .. "/reserve",
                        headers(user))
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
