"""The command line: `entry.main` is the `companion` command. `entry.open_app` is the one place in the core
allowed to import `screens` (lazily, to open the app); everything else here prints what the stages return.
"""
