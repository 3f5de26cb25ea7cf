-- Cycles through pre-built requests, one per line of the file named by the first argument:
-- "GET <path>" or "POST <path> <body file> <header>: <value>|…". A {n} in a header value
-- becomes a per-request counter, so each webhook carries its own X-Shopify-Webhook-Id.
local requests = {}
local bodies = {}
local thread_id = 0
local counter = 0
local index = 0

local function read_file(name)
  local f = assert(io.open(name, "rb"))
  local content = f:read("*a")
  f:close()
  return content
end

local function header_text_has_counter(headers)
  for _, value in pairs(headers) do
    if value:find("{n}", 1, true) then return true end
  end
  return false
end

function setup(thread)
  thread_id = thread_id + 1
  thread:set("thread_id", thread_id)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, rest = line:match("^(%u+) (%S+) ?(.*)$")
    local entry = { method = method, path = path, headers = {} }
    if method == "POST" then
      local body_file, header_text = rest:match("^(%S+) ?(.*)$")
      bodies[body_file] = bodies[body_file] or read_file(body_file)
      entry.body = bodies[body_file]
      for name, value in header_text:gmatch("([^:|]+): ([^|]*)") do
        entry.headers[name] = value
      end
    end
    -- A request without a per-request counter is the same every time: format it once, so wrk
    -- (which shares the cores with the server it measures) spends no Lua time on it.
    if not header_text_has_counter(entry.headers) then
      entry.formatted = wrk.format(entry.method, entry.path, entry.headers, entry.body)
    end
    requests[#requests + 1] = entry
  end
end

function request()
  index = index % #requests + 1
  counter = counter + 1
  local entry = requests[index]
  if entry.formatted then return entry.formatted end
  local headers = {}
  for name, value in pairs(entry.headers) do
    headers[name] = value:gsub("{n}", thread_id .. "-" .. counter)
  end
  return wrk.format(entry.method, entry.path, headers, entry.body)
end

function done(summary, latency)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"micros":%d,"socketErrors":%d,"non2xx":%d,"p50us":%d,"p99us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
