"""Template context every page gets: the release (fundraising.__version__), shown in the admin's footer."""

from fundraising import __version__


def version(request):
    return {"fundraising_version": __version__}
