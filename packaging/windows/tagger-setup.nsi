; Windows installer for the PyInstaller bundle in dist\tagger (built by tagger.spec).
;
;   makensis /INPUTCHARSET UTF8 /DVERSION=0.1.0 packaging\windows\tagger-setup.nsi
;
; /DBUNDLE=path overrides where the bundle is (default ..\..\dist\tagger, relative to this
; script) and /DOUTFILE=path where the installer goes. Installs for all users into Program
; Files, with Start menu (and optional desktop) shortcuts to the windowed tagger-gui.exe, an
; "App Paths" entry so Win+R finds `tagger`, and an uninstaller in Apps & features. The
; library and settings in the user's AppData are kept on uninstall.

Unicode true
SetCompressor /SOLID lzma

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\..\dist\tagger"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\metal-hardcore-tagger-${VERSION}-windows-x64-setup.exe"
!endif

!define PRODUCT_NAME "Metal & Hardcore Tagger"
!define PRODUCT_PUBLISHER "Metal & Hardcore Tagger developers"
!define PRODUCT_DESCRIPTION "Tell Metal from Hardcore in your music library and tag the files"
!define GUI_EXE "tagger-gui.exe"
!define CLI_EXE "tagger.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\MetalHardcoreTagger"
!define APP_PATHS_KEY "Software\Microsoft\Windows\CurrentVersion\App Paths\${CLI_EXE}"

Name "${PRODUCT_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT_NAME}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
ShowInstDetails show
ShowUnInstDetails show
BrandingText " "

!include "MUI2.nsh"
!include "x64.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "tagger.ico"
!define MUI_UNICON "tagger.ico"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${PRODUCT_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PRODUCT_PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${PRODUCT_NAME} installer"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "MIT License"

Section "!${PRODUCT_NAME}" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  SetOverwrite on
  ; A previous version's files could shadow the new ones, so the bundle is replaced whole.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE}\*.*"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PRODUCT_PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "Comments" "${PRODUCT_DESCRIPTION}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0

  ; Win+R and `start tagger` find the command line tool.
  WriteRegStr HKLM "${APP_PATHS_KEY}" "" "$INSTDIR\${CLI_EXE}"
  WriteRegStr HKLM "${APP_PATHS_KEY}" "Path" "$INSTDIR"
SectionEnd

Section "Start menu shortcut" SecStartMenu
  SetShellVarContext all
  CreateShortCut "$SMPROGRAMS\${PRODUCT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" \
    "$INSTDIR\${GUI_EXE}" 0 SW_SHOWNORMAL "" "${PRODUCT_DESCRIPTION}"
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  SetShellVarContext all
  CreateShortCut "$DESKTOP\${PRODUCT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" \
    "$INSTDIR\${GUI_EXE}" 0 SW_SHOWNORMAL "" "${PRODUCT_DESCRIPTION}"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "The application and the tagger command."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecStartMenu} "A Start menu entry for all users."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "A desktop icon for all users."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

; A running tagger locks its executables, so opening one for writing tells whether it runs:
; files in use could not be replaced or removed.
!macro REFUSE_WHILE_RUNNING DIR
  ${If} ${FileExists} "${DIR}\${GUI_EXE}"
    ClearErrors
    FileOpen $R9 "${DIR}\${GUI_EXE}" a
    ${IfNot} ${Errors}
      FileClose $R9
      FileOpen $R9 "${DIR}\${CLI_EXE}" a
    ${EndIf}
    ${If} ${Errors}
      MessageBox MB_ICONSTOP|MB_OK "${PRODUCT_NAME} is running. Close it and try again." /SD IDOK
      Abort
    ${EndIf}
    FileClose $R9
  ${EndIf}
!macroend

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP|MB_OK "${PRODUCT_NAME} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  ; An earlier version is removed first (silently), keeping the user's library.
  ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $0 != ""
  ${AndIf} ${FileExists} "$0\uninstall.exe"
    !insertmacro REFUSE_WHILE_RUNNING "$0"
    StrCpy $INSTDIR $0
    ExecWait '"$0\uninstall.exe" /S _?=$0' $1
    ${If} $1 <> 0
      MessageBox MB_ICONSTOP|MB_OK "The earlier version could not be removed." /SD IDOK
      Abort
    ${EndIf}
    Delete "$0\uninstall.exe"
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro REFUSE_WHILE_RUNNING "$INSTDIR"
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${PRODUCT_NAME}.lnk"
  Delete "$DESKTOP\${PRODUCT_NAME}.lnk"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "${APP_PATHS_KEY}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
