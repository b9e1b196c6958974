# Can this machine run the i686 preset's programs? Natively when the kernel runs 32-bit x86
# programs; some kernels are built without IA32 emulation and refuse them ("Exec format error"),
# and there scripts/setup has the kernel start them under qemu-i386 through binfmt_misc. A probe
# program built with the preset's own flags checks at every configure (the machine may have
# changed since the last) and sets ALLIGATOR_I686_EMULATED: gdb cannot debug what qemu runs.
set(probe_source "${CMAKE_BINARY_DIR}/CMakeFiles/i686_probe.c")
set(probe "${CMAKE_BINARY_DIR}/CMakeFiles/i686_probe")
file(WRITE "${probe_source}" "int main(void) { return sizeof(void *) == 4 ? 42 : 1; }\n")
try_compile(probe_built "${CMAKE_BINARY_DIR}/CMakeFiles/i686_probe_build"
            SOURCES "${probe_source}" COPY_FILE "${probe}" OUTPUT_VARIABLE probe_log)
if(NOT probe_built)
  message(FATAL_ERROR "i686: cannot build a 32-bit probe program:\n${probe_log}")
endif()
execute_process(COMMAND "${probe}" RESULT_VARIABLE probe_result OUTPUT_QUIET ERROR_QUIET)
if(NOT probe_result EQUAL 42)
  message(FATAL_ERROR "i686: this machine runs no 32-bit x86 programs (the probe gave "
                      "'${probe_result}'): scripts/setup, as root, has the kernel run them under "
                      "qemu-i386")
endif()
set(ALLIGATOR_I686_EMULATED OFF)
if(EXISTS /proc/sys/fs/binfmt_misc/qemu-i386)
  file(STRINGS /proc/sys/fs/binfmt_misc/qemu-i386 state LIMIT_COUNT 1)
  if(state STREQUAL "enabled")
    set(ALLIGATOR_I686_EMULATED ON)
  endif()
endif()
if(ALLIGATOR_I686_EMULATED)
  message(STATUS "i686 programs run under qemu-i386 (this kernel has no 32-bit support)")
else()
  message(STATUS "i686 programs run natively")
endif()
