# Shared by the service tests: the project they serve, and `govgrid serve`
# started on a free port.
#   square_project GOVGRID FIXTURES_DIR PROJECT   a new project with the four
#                                                square grids and their roster
square_project() {
  "$1" init "$3" --quiet &&
    "$1" import "$3" grids "$2/square_grids.csv" --quiet &&
    "$1" import "$3" workers "$2/square_workers.csv" --quiet
}

#   start_service GOVGRID PROJECT KEYS LOG   sets pid and port; exits 1 with
#                                           the log when it does not start
start_service() {
  # Emptied here, not by the background job's redirection, which may come
  # after the first look and leave an earlier start's port to be found.
  : > "$4"
  "$1" serve "$2" --listen 127.0.0.1:0 --keys "$3" --threads 2 2>> "$4" &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$4")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "FAIL the service did not start:"; cat "$4"; exit 1; }
}
