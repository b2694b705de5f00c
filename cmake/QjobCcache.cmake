# Use ccache when it is installed. Precompiled headers need the sloppiness below
# for ccache to reuse their objects.
find_program(QJOB_CCACHE ccache)
if(QJOB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND};-E;env;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;${QJOB_CCACHE}")
endif()
