"""Wizard stage of the GUI."""
