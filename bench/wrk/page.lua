-- One GET, reloaded: the signed-in person's session cookie (from a real sign-in) and the browser's
-- User-Agent come from the environment. Like a browser, each thread keeps the session cookie an
-- answer sets (the city code page sets a new one when it shows the next minute's code).
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
  local formatted = nil

  function request()
    if not formatted then
      formatted = wrk.format()
    end
    return formatted
  end

  function response(status, headers, body)
    local set = headers["Set-Cookie"]
    local session = set and set:match("^session=([^;]*)")
    if session then
      wrk.headers["Cookie"] = "session=" .. session
      formatted = nil
    end
  end
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
