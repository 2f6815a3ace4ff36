#!/usr/bin/env bash
# Golden tests of the govgrid command: runs case files and compares what the
# command prints and its exit status with what the case file expects.
#
# Usage: run_case.sh GOVGRID DATA_DIR CLI_DIR CASE_FILE...
#   GOVGRID    the govgrid executable
#   DATA_DIR   the project's data/ folder (sample data, read only)
#   CLI_DIR    this folder, tests/cli (fixtures in data/, shared setups in setups/)
#   CASE_FILE  one or more cases/NAME.case
# Environment:
#   UPDATE_GOLDEN=1       rewrite each case's expected part with what the command printed
#   KEEP_TMP=1            keep the temp folder of each case (its path is printed)
#   GG_EXPECTED_VERSION   the version --version must print (otherwise any X.Y.Z)
# Needs bash and coreutils, plus diff (diffutils) and find and xargs
# (findutils): all three are Essential packages on Debian.
#
# A case file (README.md here says how to run, add and update cases):
#   # what the case checks (one or more comment lines; at least one)
#   setup: STEP                 zero or more, run in order, each must succeed
#   run: govgrid ARGS...        the command under test
#   status: N                   its expected exit status
#   --- stdout
#   expected standard output
#   --- stderr
#   expected standard error
# Words after setup:/run: are split like a shell does with quotes ('...' and
# "..." with \" and \\), but nothing is expanded. Placeholders in them:
#   @PROJECT@  the project file, @WORK@/project.sqlite (it does not exist
#              until a setup step creates it)
#   @WORK@     the case's temp folder (also the command's working folder)
#   @DATA@     DATA_DIR            @FIXTURES@  CLI_DIR/data
# The same paths in the output are replaced by the placeholders; so are
# "govgrid X.Y.Z" (to "govgrid @VERSION@") and ISO 8601 times (@TIME@).
# Setup steps:
#   init                     govgrid init @PROJECT@
#   use NAME                 the steps of setups/NAME.setup
#   govgrid ARGS...          any govgrid command that must exit 0
#   copy SRC DEST            copy a file (the copy is writable)
#   cut FILE PERCENT         truncate FILE to PERCENT% of its size
#   zero FILE PERCENT PAGES  overwrite PAGES 4096-byte pages with zeros,
#                            from the page at PERCENT% of the file
#   write FILE TEXT
#   symlink TARGET LINK      a symbolic link LINK pointing at TARGET          write TEXT and a newline to FILE
# When the expected status is not 0, the runner also checks that the command
# left every file of @WORK@ byte-identical and created or removed none:
# a failed command must not leave anything half-written. A case may carry
#   known-bug-changes-files: WHY
# for a bug not fixed yet: the change is then reported, not failed, and the
# case fails once the files stay unchanged, so that the line gets removed.
set -u -o pipefail
export LC_ALL=C
# Who acts, as plans record it (made_by, published_by): the same on every machine.
export GOVGRID_USER=tester

if [ $# -lt 4 ]; then
    echo "usage: run_case.sh GOVGRID DATA_DIR CLI_DIR CASE_FILE..." >&2
    exit 2
fi
GOVGRID=$1
DATA_DIR=${2%/}
CLI_DIR=${3%/}
shift 3
FIXTURES_DIR=$CLI_DIR/data

case_name=""
failures=0

fail() {
    echo "FAIL $case_name: $*" >&2
    return 1
}

# Splits $1 into the array WORDS: blanks separate words; '...' is literal;
# "..." is literal except \" and \\. No expansion of any kind.
split_words() {
    local text=$1 word="" have=0 quote="" c i n=${#1}
    WORDS=()
    for ((i = 0; i < n; i++)); do
        c=${text:i:1}
        if [ "$quote" = "'" ]; then
            if [ "$c" = "'" ]; then quote=""; else word+=$c; fi
        elif [ "$quote" = '"' ]; then
            if [ "$c" = '"' ]; then
                quote=""
            elif [ "$c" = "\\" ] && [ $((i + 1)) -lt "$n" ] && [[ ${text:i+1:1} == [\"\\] ]]; then
                i=$((i + 1))
                word+=${text:i:1}
            else
                word+=$c
            fi
        elif [ "$c" = "'" ] || [ "$c" = '"' ]; then
            quote=$c
            have=1
        elif [ "$c" = " " ] || [ "$c" = $'\t' ]; then
            if [ $have -eq 1 ]; then WORDS+=("$word"); fi
            word=""
            have=0
        else
            word+=$c
            have=1
        fi
    done
    if [ -n "$quote" ]; then
        fail "unbalanced $quote in: $text"
        return 1
    fi
    if [ $have -eq 1 ]; then WORDS+=("$word"); fi
    local k
    for k in "${!WORDS[@]}"; do
        WORDS[k]=${WORDS[k]//@PROJECT@/$PROJECT}
        WORDS[k]=${WORDS[k]//@WORK@/$WORK}
        WORDS[k]=${WORDS[k]//@DATA@/$DATA_DIR}
        WORDS[k]=${WORDS[k]//@FIXTURES@/$FIXTURES_DIR}
    done
    return 0
}

# Replaces the machine-specific parts of the text in the variable named $1.
normalise() {
    local -n text=$1
    text=${text//"$PROJECT"/@PROJECT@}
    text=${text//"$WORK"/@WORK@}
    text=${text//"$FIXTURES_DIR"/@FIXTURES@}
    text=${text//"$DATA_DIR"/@DATA@}
    if [ -n "${GG_EXPECTED_VERSION:-}" ]; then
        text=${text//"govgrid $GG_EXPECTED_VERSION"/govgrid @VERSION@}
    else
        local version_re='govgrid [0-9]+\.[0-9]+\.[0-9]+'
        while [[ $text =~ $version_re ]]; do
            text=${text//"${BASH_REMATCH[0]}"/govgrid @VERSION@}
        done
    fi
    local time_re='[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?'
    while [[ $text =~ $time_re ]]; do
        text=${text//"${BASH_REMATCH[0]}"/@TIME@}
    done
}

# Runs one setup step given as words.
setup_step() {
    local step=$1
    shift
    case $step in
    init)
        [ $# -eq 0 ] || { fail "setup: init takes no arguments"; return 1; }
        setup_step govgrid init --quiet "$PROJECT"
        ;;
    use)
        [ $# -eq 1 ] || { fail "setup: use takes one name"; return 1; }
        local file=$CLI_DIR/setups/$1.setup line
        [ -f "$file" ] || { fail "setup: no file $file"; return 1; }
        local -a lines
        mapfile -t lines <"$file"
        for line in "${lines[@]}"; do
            [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
            split_words "$line" || return 1
            setup_step "${WORDS[@]}" || { fail "setup: in $file: $line"; return 1; }
        done
        ;;
    govgrid)
        if ! (cd "$WORK" && "$GOVGRID" "$@") >"$TMP/setup.out" 2>&1; then
            fail "setup: govgrid $* failed:"
            cat "$TMP/setup.out" >&2
            return 1
        fi
        ;;
    copy)
        [ $# -eq 2 ] || { fail "setup: copy takes SRC DEST"; return 1; }
        cp -- "$1" "$2" && chmod u+w -- "$2"
        ;;
    cut)
        [ $# -eq 2 ] || { fail "setup: cut takes FILE PERCENT"; return 1; }
        local size
        size=$(stat -c %s -- "$1") || return 1
        truncate -s $((size * $2 / 100)) -- "$1"
        ;;
    zero)
        [ $# -eq 3 ] || { fail "setup: zero takes FILE PERCENT PAGES"; return 1; }
        local size
        size=$(stat -c %s -- "$1") || return 1
        dd if=/dev/zero of="$1" bs=4096 seek=$((size * $2 / 100 / 4096)) count="$3" conv=notrunc \
            status=none
        ;;
    write)
        [ $# -eq 2 ] || { fail "setup: write takes FILE TEXT"; return 1; }
        printf '%s\n' "$2" >"$1"
        ;;
    symlink)
        [ $# -eq 2 ] || { fail "setup: symlink takes TARGET LINK"; return 1; }
        ln -s "$1" "$2"
        ;;
    *)
        fail "setup: unknown step '$step'"
        return 1
        ;;
    esac
}

# Lists every file under @WORK@ with its checksum, to compare before and after.
snapshot() {
    (cd "$WORK" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# Appends the output text to the variable named $1 in the case file's form.
render_output() {
    local -n into=$1
    local text=$2 what=$3
    into+=$text
    if [ -n "$text" ] && [ "${text: -1}" != $'\n' ]; then
        into+=$'\n'"\\ No newline at end of $what"$'\n'
    fi
}

run_case() {
    local case_file=$1
    case_name=$(basename "$case_file" .case)
    [ -f "$case_file" ] || { fail "no such case file: $case_file"; return 1; }

    local -a lines
    mapfile -t lines <"$case_file"
    local header="" line run_line="" status_expected="" described=0 known_bug=""
    local -a setups=()
    for line in "${lines[@]}"; do
        [ "$line" = "--- stdout" ] && break
        case $line in
        "#"*) described=1 ;;
        "") ;;
        "setup: "*) setups+=("${line#setup: }") ;;
        "run: "*) run_line=${line#run: } ;;
        "status: "*) status_expected=${line#status: } ;;
        "known-bug-changes-files: "*) known_bug=${line#known-bug-changes-files: } ;;
        *) fail "unknown line in the header: $line"; return 1 ;;
        esac
        header+=$line$'\n'
    done
    [ $described -eq 1 ] || { fail "a case starts with a comment saying what it checks"; return 1; }
    [ -n "$run_line" ] || { fail "no 'run:' line"; return 1; }
    [[ $status_expected =~ ^[0-9]+$ ]] || { fail "no 'status: N' line"; return 1; }

    TMP=$(mktemp -d "${TMPDIR:-/tmp}/gg-cli-$case_name.XXXXXX") || return 1
    WORK=$TMP/work
    PROJECT=$WORK/project.sqlite
    mkdir "$WORK"
    local rc=0
    run_case_in_tmp "$case_file" || rc=1
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "kept $TMP" >&2
    else
        rm -rf -- "$TMP"
    fi
    return $rc
}

run_case_in_tmp() {
    local case_file=$1 s
    for s in "${setups[@]}"; do
        split_words "$s" || return 1
        setup_step "${WORDS[@]}" || return 1
    done
    split_words "$run_line" || return 1
    if [ "${#WORDS[@]}" -eq 0 ] || [ "${WORDS[0]}" != govgrid ]; then
        fail "'run:' must start with the word govgrid"
        return 1
    fi
    local -a args=("${WORDS[@]:1}")

    local before after status_actual
    before=$(snapshot)
    (cd "$WORK" && exec "$GOVGRID" "${args[@]}") >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status_actual=$?
    after=$(snapshot)

    local out err
    out=$(cat "$TMP/stdout"; printf x)
    out=${out%x}
    err=$(cat "$TMP/stderr"; printf x)
    err=${err%x}
    normalise out
    normalise err

    local rendered=""
    local -a header_lines
    mapfile -t header_lines <<<"${header%$'\n'}"
    for line in "${header_lines[@]}"; do
        case $line in
        "status: "*) rendered+="status: $status_actual"$'\n' ;;
        *) rendered+=$line$'\n' ;;
        esac
    done
    rendered+=$'--- stdout\n'
    render_output rendered "$out" stdout
    rendered+=$'--- stderr\n'
    render_output rendered "$err" stderr

    local rc=0 must_be_unchanged=0
    if [ "$status_expected" != 0 ] || [ "$status_actual" != 0 ]; then must_be_unchanged=1; fi
    if [ $must_be_unchanged -eq 1 ] && [ "$before" != "$after" ]; then
        if [ -n "$known_bug" ]; then
            echo "known bug in $case_name: the failed command changed files: $known_bug" >&2
        else
            fail "exit status $status_actual, yet the command changed files in @WORK@:"
            diff -u --label before --label after <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2
            rc=1
        fi
    elif [ -n "$known_bug" ]; then
        fail "'known-bug-changes-files:' is set, but the files were left unchanged: remove that line"
        rc=1
    fi
    if [ "$status_actual" -ge 128 ]; then
        fail "govgrid was killed by signal $((status_actual - 128))"
        rc=1
    fi
    if ! printf '%s' "$rendered" | cmp -s - "$case_file"; then
        if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
            printf '%s' "$rendered" >"$case_file"
            echo "updated $case_file" >&2
        else
            fail "output differs from $case_file (rerun with UPDATE_GOLDEN=1 to accept):"
            printf '%s' "$rendered" | diff -u --label "expected $case_name" --label "actual $case_name" \
                "$case_file" - >&2
            rc=1
        fi
    fi
    [ $rc -eq 0 ] && echo "ok   $case_name"
    return $rc
}

for case_file in "$@"; do
    run_case "$case_file" || failures=$((failures + 1))
done
if [ "$failures" -gt 0 ]; then
    echo "$failures of $# case(s) failed" >&2
    exit 1
fi
exit 0
