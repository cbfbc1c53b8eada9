"""What the tests of rendered pages read: a response's HTML as text."""


def page(response):
    return response.content.decode()
