"""Continuum: multi-agency case management for the rehabilitation of radicalised detainees."""

__version__ = "0.1.0"
