// What the Windows implementation files share: the Windows headers in the right order, text
// conversion, error text, Winsock start-up, the names of the control objects.
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <string>
#include <string_view>

#include "events.hpp"

namespace forkhorn::platform::win {

std::wstring widen(std::string_view text);
std::string narrow(std::wstring_view text);
/// "The system cannot find the file specified. (2)"
std::string error_text(DWORD code);
inline std::string last_error() { return error_text(GetLastError()); }
/// `path` made absolute (GetFullPathNameW), or as it is when that fails.
std::wstring full_path(const std::wstring& path);
/// How an app library is loaded: its dependencies are looked for in its own directory and the
/// system's default directories, never in the current directory or on PATH.
inline constexpr DWORD app_library_flags = LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS;

/// How `ctl` opens the control pipe: overlapped, and the server may identify the client but
/// never impersonate it (a process that took the pipe's name cannot act as the user of ctl).
inline constexpr DWORD pipe_client_flags = FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION;

/// The DACL (SDDL) a service gets at install: SYSTEM and Administrators control it (as the SCM's
/// default), interactive (IU) and service (SU) logons may query it and nothing more (the
/// default lets them send controls 128..255: quick stop, stop all workers, TTIN), and the group
/// whose SID is `control_group_sid` (empty = none) may also start, stop and control it.
std::wstring service_sddl(const std::wstring& control_group_sid);

/// How workers are created: suspended (the bootstrap is written first), with an explicit list of
/// inherited handles, in a process group of their own (Ctrl+C goes to the arbiter, which stops
/// them), and outside the arbiter's console (CREATE_NO_WINDOW gives each a hidden console of its
/// own, so no Ctrl+Break, console close or logoff in the arbiter's console reaches them, whose
/// default handler would end them behind the arbiter's back).
inline constexpr DWORD worker_creation_flags =
    CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW;

/// A connected pair of loopback sockets, neither inheritable: the worker's wake-up.
bool make_wake_pair(SOCKET& reader, SOCKET& writer);

/// WSAStartup once per process.
void start_winsock();
/// Security attributes that let only SYSTEM, Administrators and the owner in: for the named
/// control objects and the control pipe (an explicit list, not the default DACL).
SECURITY_ATTRIBUTES* owner_only_security();
/// The same for a directory, inherited by the files and directories made in it, and protected
/// from what its parent would pass on (the runtime directory under %ProgramData%).
inline constexpr wchar_t private_directory_sddl[] = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)";
SECURITY_ATTRIBUTES* private_directory_security();

/// What the arbiter's console handler does with a console event (`service`: the process is a
/// Windows service, which the SCM stops).
enum class console_action { pass, ignore, quick_stop, graceful_stop_and_wait };
console_action console_action_for(DWORD type, bool service);
/// The arbiter's console handler (SetConsoleCtrlHandler): queues INT or TERM; after TERM for a
/// close, logoff or shutdown it returns only once the arbiter has stopped.
BOOL WINAPI console_handler(DWORD type);

/// Queues a control event in this process's arbiter (console handler, service control
/// handler); false when no arbiter runs here (yet).
bool post_to_arbiter(control_event e);

/// `Global\forkhorn.<instance>.<pid>.<cmd>`: the named object behind one control event.
std::wstring control_object_name(const std::string& instance, int pid, control_event e);

} // namespace forkhorn::platform::win
