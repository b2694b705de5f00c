# One INTERFACE target carries every flag; each target links it PRIVATE.
add_library(qjob_flags INTERFACE)
target_compile_options(qjob_flags INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
# g++ 12 at -O2 reports Asio's coroutine frame allocator (awaitable_frame_base's
# class-specific operator new/delete) as a mismatched pair: a false positive.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(qjob_flags INTERFACE -Wshadow=local -Wno-mismatched-new-delete)
endif()
if(QJOB_WERROR)
  target_compile_options(qjob_flags INTERFACE -Werror)
endif()
target_compile_definitions(qjob_flags INTERFACE BOOST_ASIO_NO_DEPRECATED)

if(QJOB_SANITIZERS STREQUAL "address,undefined")
  target_compile_options(qjob_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined)
  target_link_options(qjob_flags INTERFACE -fsanitize=address,undefined)
elseif(QJOB_SANITIZERS STREQUAL "thread")
  target_compile_options(qjob_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  # Asio's fenced blocks use std::atomic_thread_fence, which g++ 12 warns TSan does
  # not model (-Wtsan); with -Werror every Asio user failed to build in this preset.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(qjob_flags INTERFACE -Wno-tsan)
  endif()
  target_link_options(qjob_flags INTERFACE -fsanitize=thread)
elseif(NOT QJOB_SANITIZERS STREQUAL "")
  message(FATAL_ERROR "QJOB_SANITIZERS must be empty, 'address,undefined' or 'thread', not '${QJOB_SANITIZERS}'")
endif()

# The fuzz build: every library gets libFuzzer's coverage instrumentation with ASan
# and UBSan; the targets add -fsanitize=fuzzer (tests/fuzz). Clang 14 fails with
# "Cannot represent a difference across sections" on coroutines (Asio's headers)
# when -fsanitize=function meets the coverage counters, so that one check is off.
if(QJOB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "QJOB_FUZZ needs clang (the fuzz preset uses clang++-14)")
  endif()
  if(NOT QJOB_SANITIZERS STREQUAL "")
    message(FATAL_ERROR "QJOB_FUZZ brings its own sanitizers; leave QJOB_SANITIZERS empty")
  endif()
  target_compile_options(qjob_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                                              -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(qjob_flags INTERFACE -fsanitize=address,undefined)
endif()
