"""nbgrader configuration of the backproplab course. Run nbgrader from this folder.

The repository is the course root: instructor notebooks in solutions/ (nbgrader's source),
student notebooks in lessons/ (its release, committed), and the per-class working folders
under grading/ (git-ignored).
"""
import os

_here = os.path.dirname(os.path.abspath(__file__))
_root = os.path.dirname(_here)

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "backproplab"
c.CourseDirectory.root = _root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = os.path.join("grading", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("grading", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("grading", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "gradebook.db")
# A lesson folder holds its notebook and nothing else is copied by accident.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Autograde runs the kernel named here, never the one in a notebook's metadata: a kernel that
# does not exist on the grading machine would otherwise score a silent 0. run.py installs it.
c.Execute.kernel_name = "backproplab"
# Per-cell timeout in seconds (a lesson runs in seconds; an infinite loop must not stall grading).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# The student version's stub for a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
