from setuptools import setup

from srcgrad.setuptools import grad_extensions

setup(ext_modules=grad_extensions(["mypkg/model.py"]))
