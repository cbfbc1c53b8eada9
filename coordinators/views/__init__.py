"""The coordinators' back office in the Wagtail admin, under /admin/coordinators/, one module per
screen: the review queue and one event's review (`review`), several events at once (`bulk`), the
events of one's countries (`events`), dashboards and page coverage (`dashboards`).

Every object comes through coordinators.permissions (via coordinators.selectors), so another
country's event is a 404; every write goes through events.services, which checks again. Helpers
the screens share are in coordinators.shortcuts."""
