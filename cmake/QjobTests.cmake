# qjob_add_boost_tests(<target> SOURCES <files...> LIBRARIES <libs...> [LABELS <labels...>])
# Builds one Boost.Test executable and registers each suite (one per source file,
# named after it) as its own CTest test, as bitcoin's add_boost_test does.
function(qjob_add_boost_tests target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE qjob_flags qjob_test_support ${ARG_LIBRARIES}
                        Boost::unit_test_framework)
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(suite ${source} NAME_WE)
    if(suite MATCHES "_tests$")
      add_test(NAME ${suite} COMMAND ${target} --run_test=${suite} --log_level=test_suite --catch_system_errors=no)
      set_tests_properties(${suite} PROPERTIES LABELS "${ARG_LABELS}"
                           ENVIRONMENT "QJOB_SHARED_DIR=${QJOB_SHARED_DIR}")
    endif()
  endforeach()
endfunction()
