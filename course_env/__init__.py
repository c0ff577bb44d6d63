"""What `python3 run.py` does once it knows the Python it runs on can run the course.

Standard library only: on a fresh machine this runs before anything is installed.

- install: the course's virtual environment .venv (created, installed into, kept up to date)
  and the Debian packages the tests use;
- lab: the JupyterLab a student and an instructor get (command line and settings in .venv);
- commands: `course`, `instructor` and `test`.
"""
