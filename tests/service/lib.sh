# Shared by the service tests: the project they serve, and `govgrid serve`
# started on a free port.

# Who acts, as plans record it (made_by): the same on every machine.
export GOVGRID_USER=tester

#   square_project GOVGRID FIXTURES_DIR PROJECT   a new project with the four
#                                                square grids and their roster
square_project() {
  "$1" init "$3" --quiet &&
    "$1" import "$3" grids "$2/square_grids.csv" --quiet &&
    "$1" import "$3" workers "$2/square_workers.csv" --quiet
}

#   places_project GOVGRID FIXTURES_DIR PROJECT DEDUP_DIR   a project with
#   names to search: a community of four named grids, its township and
#   county, roads, units, households with addresses, the roster and the
#   departmental grids, and govgrid dedup's output in DEDUP_DIR
places_project() {
  "$1" init "$3" --quiet &&
    "$1" import "$3" divisions "$2/places_divisions.csv" --quiet &&
    "$1" import "$3" roads "$2/places_roads.csv" --quiet &&
    "$1" import "$3" units "$2/places_units.csv" --quiet &&
    "$1" import "$3" households "$2/places_households.csv" --quiet &&
    "$1" import "$3" grids "$2/places_grids.csv" --quiet &&
    "$1" import "$3" workers "$2/square_workers.csv" --quiet &&
    "$1" import "$3" dept-grids "$2/square_dept_grids.csv" --quiet &&
    "$1" dedup "$3" -o "$4" --quiet
}

#   start_service GOVGRID PROJECT KEYS LOG [OPTION...]   sets pid and port;
#                                           exits 1 with the log when it
#                                           does not start
start_service() {
  # Emptied here, not by the background job's redirection, which may come
  # after the first look and leave an earlier start's port to be found.
  : > "$4"
  "$1" serve "$2" --listen 127.0.0.1:0 --keys "$3" --threads 2 "${@:5}" 2>> "$4" &
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$4")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "FAIL the service did not start:"; cat "$4"; exit 1; }
}
