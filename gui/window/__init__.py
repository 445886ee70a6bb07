"""The main window: stages, menus, status bar, welcome screen and project dialogs."""
