"""backproplab"""
