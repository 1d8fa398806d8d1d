"""Running a wave: its rules and state machine, the service the pages, CLI and jobs call, the
sweep that opens and closes waves by the clock, who it reaches, the capacity forecast, printable
invitation sheets, and the system administrator's pages."""
