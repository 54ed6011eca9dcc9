from monitor.cli import main

# Guarded: a crawl worker is started with multiprocessing's "spawn", which imports the main
# module of `python -m monitor` again in the new process; that must not run the command again.
if __name__ == "__main__":
    main()
