-- The token endpoint, refresh-token grant. A refresh token works once (each answer rotates it), so
-- every thread keeps a pool: a request takes a token out, its answer puts the new one back. The
-- pool starts with at least one token per connection (from BENCH_TOKENS, one per line, obtained
-- by real authorization-code flows), so a connection always finds one.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local pool = {}
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("BENCH_CLIENT_AUTH"),
  ["User-Agent"] = os.getenv("BENCH_USER_AGENT"),
}

function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line_number % total == index then
      table.insert(pool, line)
    end
    line_number = line_number + 1
  end
end

function request()
  local token = table.remove(pool) or "pool-exhausted"
  return wrk.format("POST", "/oidc/token", headers, "grant_type=refresh_token&refresh_token=" .. token)
end

function response(status, headers, body)
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then
    table.insert(pool, token)
  end
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
