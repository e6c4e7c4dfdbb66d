"""Every write on scoring data: templates (services.templates) and registrations with the giao
ước (services.registrations). Views and the demo call these, never the models directly."""
