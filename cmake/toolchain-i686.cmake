# 32-bit x86 Linux with the host's GCC (Debian's g++-multilib): a native binary with wasm32's
# pointer size. Its tests run natively, or under qemu-i386 on a kernel without 32-bit support
# (cmake/i686_probe.cmake). Libraries come from Debian's i386 multiarch packages
# (libgtest-dev:i386, librapidcheck-dev:i386) in /usr/lib/i386-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)

set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_C_FLAGS_INIT -m32)
set(CMAKE_CXX_FLAGS_INIT -m32)
set(CMAKE_EXE_LINKER_FLAGS_INIT -m32)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -m32)
set(CMAKE_MODULE_LINKER_FLAGS_INIT -m32)

set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
# The host's own (64-bit) libraries must never be picked up.
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/cmake)
