"""cnopad: care pathway support for chronic non-bacterial osteomyelitis (CNO-SCCH in adults, CRMO in children).

The package is layered (README.md, section Architecture): ``domain`` holds the patient record, ``knowledge``
the guideline as data, ``engine`` the pure decision logic, ``fhir`` and ``store`` the adapters,
``services`` the use cases, and ``api``/``web``/``cli``/``reports`` the surfaces.
"""

__version__ = "0.1.0"
