; forkhorn's Windows service in the NSIS installer, included by CPack's script (package.cmake).
; The installer offers a service named "forkhorn" that serves the hello example on
; 127.0.0.1:8000 from the install directory; the uninstaller removes it. The commands run
; through nsExec so that no console window flashes; their output goes to the details list.

!include FileFunc.nsh

!define FORKHORN_EXE "$INSTDIR\bin\forkhorn.exe"
!define FORKHORN_SERVICE_KEY "SYSTEM\CurrentControlSet\Services\forkhorn"

; Before the files: a running service holds bin\forkhorn.exe open, so an upgrade stops it.
!macro forkhorn_stop_service
  IfFileExists "${FORKHORN_EXE}" 0 forkhorn_not_installed
    nsExec::ExecToLog '"${FORKHORN_EXE}" service stop --name forkhorn'
    Pop $0
  forkhorn_not_installed:
!macroend

; After the files: an upgrade starts the service again; a first install asks, or registers
; it without asking when the installer runs with /SERVICE (for `/S /SERVICE` unattended
; installs; /S alone says no).
!macro forkhorn_offer_service
  ClearErrors
  ReadRegStr $0 HKLM "${FORKHORN_SERVICE_KEY}" "ImagePath"
  IfErrors forkhorn_new
    nsExec::ExecToLog '"${FORKHORN_EXE}" service start --name forkhorn'
    Pop $0
    Goto forkhorn_done
  forkhorn_new:
  ${GetParameters} $1
  ClearErrors
  ${GetOptions} $1 "/SERVICE" $2
  IfErrors 0 forkhorn_register
  MessageBox MB_YESNO|MB_ICONQUESTION "Register forkhorn as a Windows service?$\r$\n$\r$\nThe service starts with Windows and serves the hello example on http://127.0.0.1:8000. Its log is $INSTDIR\forkhorn.log." /SD IDNO IDNO forkhorn_done
  forkhorn_register:
    nsExec::ExecToLog '"${FORKHORN_EXE}" service install --name forkhorn --working-directory "$INSTDIR" -- "$INSTDIR\examples\hello.dll:app" -b 127.0.0.1:8000'
    Pop $0
    StrCmp $0 0 0 forkhorn_failed
    nsExec::ExecToLog '"${FORKHORN_EXE}" service start --name forkhorn'
    Pop $0
    StrCmp $0 0 forkhorn_done forkhorn_failed
  forkhorn_failed:
    MessageBox MB_OK|MB_ICONEXCLAMATION "Setting up the forkhorn service failed (exit code $0): see the details and $INSTDIR\forkhorn.log." /SD IDOK
  forkhorn_done:
!macroend

; Before the files go: stop and remove the service (exit 3, not installed, is fine too).
!macro forkhorn_remove_service
  nsExec::ExecToLog '"${FORKHORN_EXE}" service uninstall --name forkhorn'
  Pop $0
  Delete "$INSTDIR\forkhorn.log"
!macroend
