# gunicorn settings (Procfile, `make serve`): access lines without personal data, see eyos/logging.py.
accesslog = "-"
logger_class = "eyos.logging.GunicornLogger"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'
