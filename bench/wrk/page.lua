-- One GET, the same every time: the signed-in person's session cookie (from a real sign-in) and
-- the browser's User-Agent come from the environment.
wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
