-- wrk script: POST JSON bodies (one per line of $ROI_BENCH_BODIES, in turn) with a bearer token.
local token = os.getenv("ROI_BENCH_TOKEN")
local bodies = {}
for line in io.lines(os.getenv("ROI_BENCH_BODIES")) do
  bodies[#bodies + 1] = line
end
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

function init(args)
  n = offset or 0
end

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end
