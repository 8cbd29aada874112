# Writes OUTPUT (a header defining TT_GIT_COMMIT) from `git rev-parse --short HEAD` in SOURCE_DIR,
# touching it only when the commit changes, so a build after a new commit relabels the suites'
# runs without recompiling anything else.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
file(WRITE "${OUTPUT}.tmp" "#define TT_GIT_COMMIT \"${commit}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
